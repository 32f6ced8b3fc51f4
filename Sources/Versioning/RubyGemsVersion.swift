/// A RubyGems version ordered like Gem::Version: segments are digit runs or letter runs, any
/// letter makes the version a pre-release (string segments sort below numeric ones), `-` is read
/// as `.pre.`, and trailing zeros before the first string segment are insignificant.
public struct RubyGemsVersion: EcosystemVersion {
    public enum Segment: Sendable, Equatable {
        case number(String)
        case text(String)
    }

    public let description: String
    public let segments: [Segment]

    public var isPrerelease: Bool { segments.contains { if case .text = $0 { return true } else { return false } } }

    public init(_ string: String) throws(VersionParseError) {
        var s = String(ASCII.trimmed(string))
        if s.isEmpty { s = "0" }  // Gem::Version treats an empty version as "0"
        guard Self.isCorrect(Array(s.utf8)) else { throw VersionParseError(string, "malformed version number string") }
        description = s
        let expanded = s.replacingOccurrences(of: "-", with: ".pre.")
        var segs: [Segment] = []
        var cur: [UInt8] = []
        var curIsDigit = false
        for c in expanded.utf8 {
            let d = ASCII.isDigit(c), a = ASCII.isAlpha(c)
            if !(d || a) || (!cur.isEmpty && d != curIsDigit) {
                if !cur.isEmpty { segs.append(Self.segment(cur, curIsDigit)) }
                cur = []
            }
            if d || a { cur.append(c); curIsDigit = d }
        }
        if !cur.isEmpty { segs.append(Self.segment(cur, curIsDigit)) }
        segments = segs
    }

    private static func segment(_ b: [UInt8], _ isDigit: Bool) -> Segment {
        let s = String(decoding: b, as: UTF8.self)
        return isDigit ? .number(ASCII.stripDigitsLeadingZeros(Substring(s))) : .text(s)
    }

    /// `\A[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\z`
    private static func isCorrect(_ s: [UInt8]) -> Bool {
        var i = 0
        let start = i
        while i < s.count, ASCII.isDigit(s[i]) { i += 1 }
        if i == start { return false }
        while i < s.count, s[i] == UInt8(ascii: ".") {
            let b = i + 1
            var j = b
            while j < s.count, ASCII.isAlnum(s[j]) { j += 1 }
            if j == b { return false }
            i = j
        }
        if i == s.count { return true }
        guard s[i] == UInt8(ascii: "-") else { return false }
        i += 1
        var needPart = true
        while i < s.count {
            let c = s[i]
            if ASCII.isAlnum(c) || c == UInt8(ascii: "-") { needPart = false; i += 1 }
            else if c == UInt8(ascii: "."), !needPart { needPart = true; i += 1 }
            else { return false }
        }
        return !needPart
    }

    /// Trailing zeros are dropped from the numeric head and from the rest separately.
    var canonicalSegments: [Segment] {
        let firstText = segments.firstIndex { if case .text = $0 { return true } else { return false } } ?? segments.count
        func dropZeros(_ a: ArraySlice<Segment>) -> [Segment] {
            var x = Array(a)
            while let last = x.last, last == .number("0") { x.removeLast() }
            return x
        }
        return dropZeros(segments[..<firstText]) + dropZeros(segments[firstText...])
    }

    public func compare(to o: RubyGemsVersion) -> Ordering {
        let l = canonicalSegments, r = o.canonicalSegments
        if l == r { return .equal }
        for k in 0..<max(l.count, r.count) {
            let a = k < l.count ? l[k] : .number("0")
            let b = k < r.count ? r[k] : .number("0")
            if a == b { continue }
            switch (a, b) {
            case (.text, .number): return .less
            case (.number, .text): return .greater
            case let (.number(x), .number(y)): return ASCII.compareDigits(x.utf8, y.utf8)
            case let (.text(x), .text(y)): return ASCII.compareBytes(x.utf8, y.utf8)
            }
        }
        return .equal
    }

    /// Gem::Version#release: the version up to its first string segment.
    var release: RubyGemsVersion {
        guard isPrerelease, let v = try? RubyGemsVersion(Self.join(Array(segments.prefix { if case .number = $0 { return true } else { return false } }))) else { return self }
        return v
    }

    /// Gem::Version#bump, used by the `~>` operator.
    var bump: RubyGemsVersion {
        var segs = segments
        while segs.contains(where: { if case .text = $0 { return true } else { return false } }) { segs.removeLast() }
        if segs.count > 1 { segs.removeLast() }
        if case .number(let n)? = segs.last { segs[segs.count - 1] = .number(ASCII.increment(n)) }
        return (try? RubyGemsVersion(Self.join(segs))) ?? self
    }

    static func join(_ segs: [Segment]) -> String {
        let s = segs.map { seg -> String in
            switch seg {
            case .number(let n): return n
            case .text(let t): return t
            }
        }.joined(separator: ".")
        return s.isEmpty ? "0" : s
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
}

extension String {
    /// Foundation-free replacement of every occurrence of `target`.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
