/// A Python package version per PEP 440, parsed and ordered like `packaging.version.Version`:
/// alternate spellings are normalised (`1.0-ALPHA.1` is `1.0a1`, `1.0-1` is `1.0.post1`),
/// trailing zeros of the release do not matter, and a local label sorts above its public version.
public struct PEP440Version: EcosystemVersion {
    public enum LocalSegment: Sendable, Equatable {
        case number(String)
        case text(String)
    }

    /// Digit strings without leading zeros; strings keep huge numbers exact.
    public let epoch: String
    public let release: [String]
    /// `a`, `b` or `rc` with its number.
    public let pre: (label: String, number: String)?
    public let post: String?
    public let dev: String?
    public let local: [LocalSegment]?

    public var isPrerelease: Bool { pre != nil || dev != nil }

    public init(_ string: String) throws(VersionParseError) {
        var p = Parser(Array(ASCII.trimmed(string).utf8.map(ASCII.lower)))
        guard let parsed = p.parse() else { throw VersionParseError(string, "not a valid PEP 440 version") }
        (epoch, release, pre, post, dev, local) = parsed
    }

    public var publicVersion: String {
        var s = epoch != "0" ? "\(epoch)!" : ""
        s += release.joined(separator: ".")
        if let pre { s += pre.label + pre.number }
        if let post { s += ".post" + post }
        if let dev { s += ".dev" + dev }
        return s
    }

    /// The normalised form, as `str(Version(...))` prints it.
    public var description: String {
        guard let local else { return publicVersion }
        return publicVersion + "+" + local.map { seg -> String in
            switch seg {
            case .number(let n): return n
            case .text(let t): return t
            }
        }.joined(separator: ".")
    }

    public func compare(to o: PEP440Version) -> Ordering {
        ASCII.compareDigits(epoch.utf8, o.epoch.utf8)
            .then(Self.compareRelease(release, o.release))
            .then(Self.compareKeyed(preKey, o.preKey))
            .then(Self.compareKeyed(postKey, o.postKey))
            .then(Self.compareKeyed(devKey, o.devKey))
            .then(Self.compareLocal(local, o.local))
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    /// packaging's sort key pieces: -inf / value / +inf.
    private enum Key {
        case negInf, value(String, String), posInf
    }

    private var preKey: Key {
        // A dev release without pre/post sorts before the pre-releases of the same release.
        if pre == nil && post == nil && dev != nil { return .negInf }
        guard let pre else { return .posInf }
        return .value(pre.label, pre.number)
    }

    private var postKey: Key { post.map { .value("", $0) } ?? .negInf }
    private var devKey: Key { dev.map { .value("", $0) } ?? .posInf }

    private static func compareKeyed(_ a: Key, _ b: Key) -> Ordering {
        switch (a, b) {
        case (.negInf, .negInf), (.posInf, .posInf): return .equal
        case (.negInf, _), (_, .posInf): return .less
        case (_, .negInf), (.posInf, _): return .greater
        case let (.value(l1, n1), .value(l2, n2)):
            return ASCII.compareBytes(l1.utf8, l2.utf8).then(ASCII.compareDigits(n1.utf8, n2.utf8))
        }
    }

    private static func compareRelease(_ a: [String], _ b: [String]) -> Ordering {
        for k in 0..<max(a.count, b.count) {
            let r = ASCII.compareDigits(k < a.count ? a[k].utf8 : "0".utf8, k < b.count ? b[k].utf8 : "0".utf8)
            if r != .equal { return r }
        }
        return .equal
    }

    private static func compareLocal(_ a: [LocalSegment]?, _ b: [LocalSegment]?) -> Ordering {
        guard let a else { return b == nil ? .equal : .less }
        guard let b else { return .greater }
        for (x, y) in zip(a, b) {
            let r: Ordering
            switch (x, y) {
            case let (.number(m), .number(n)): r = ASCII.compareDigits(m.utf8, n.utf8)
            case (.number, .text): r = .greater
            case (.text, .number): r = .less
            case let (.text(m), .text(n)): r = ASCII.compareBytes(m.utf8, n.utf8)
            }
            if r != .equal { return r }
        }
        return Ordering(a.count, b.count)
    }

    /// Hand-written equivalent of packaging's VERSION_PATTERN (which is matched case-insensitively;
    /// the input is lower-cased first). Returns nil when the whole string does not match.
    private struct Parser {
        let s: [UInt8]
        var i = 0
        init(_ s: [UInt8]) { self.s = s }

        var peek: UInt8? { i < s.count ? s[i] : nil }

        func isSep(_ c: UInt8?) -> Bool { c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") }

        mutating func digits() -> String? {
            let start = i
            while let c = peek, ASCII.isDigit(c) { i += 1 }
            return i > start ? ASCII.stripDigitsLeadingZeros(Substring(decoding: s[start..<i], as: UTF8.self)) : nil
        }

        mutating func word(_ options: [String]) -> String? {
            for w in options {
                let b = Array(w.utf8)
                if i + b.count <= s.count && s[i..<(i + b.count)].elementsEqual(b) {
                    i += b.count
                    return w
                }
            }
            return nil
        }

        /// `[-_.]? label [-_.]? N?`; restores the position when the label is absent.
        mutating func labelled(_ labels: [String]) -> (String, String)? {
            let save = i
            if isSep(peek) { i += 1 }
            guard let l = word(labels) else { i = save; return nil }
            // Like the regex, a separator after the label is consumed even when no number follows.
            if isSep(peek) { i += 1 }
            return (l, digits() ?? "0")
        }

        typealias Result = (String, [String], (label: String, number: String)?, String?, String?, [LocalSegment]?)

        mutating func parse() -> Result? {
            if peek == UInt8(ascii: "v") { i += 1 }
            var epoch = "0"
            let save = i
            if let e = digits(), peek == UInt8(ascii: "!") {
                epoch = e
                i += 1
            } else {
                i = save
            }
            var release: [String] = []
            guard let first = digits() else { return nil }
            release.append(first)
            while peek == UInt8(ascii: "."), i + 1 < s.count, ASCII.isDigit(s[i + 1]) {
                i += 1
                if let d = digits() { release.append(d) }
            }
            var pre: (label: String, number: String)? = nil
            if let (l, n) = labelled(["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]) {
                let norm: String
                switch l {
                case "alpha", "a": norm = "a"
                case "beta", "b": norm = "b"
                default: norm = "rc"
                }
                pre = (norm, n)
            }
            var post: String? = nil
            let beforePost = i
            if peek == UInt8(ascii: "-"), i + 1 < s.count, ASCII.isDigit(s[i + 1]) {
                i += 1
                post = digits()
            } else if let (_, n) = labelled(["post", "rev", "r"]) {
                post = n
            } else {
                i = beforePost
            }
            var dev: String? = nil
            if let (_, n) = labelled(["dev"]) { dev = n }
            var local: [LocalSegment]? = nil
            if peek == UInt8(ascii: "+") {
                i += 1
                var segs: [LocalSegment] = []
                while true {
                    let start = i
                    while let c = peek, ASCII.isAlnum(c) { i += 1 }
                    if i == start { return nil }
                    let seg = s[start..<i]
                    let text = String(decoding: seg, as: UTF8.self)
                    segs.append(ASCII.isAllDigits(seg) ? .number(ASCII.stripDigitsLeadingZeros(Substring(text))) : .text(text))
                    if isSep(peek) { i += 1 } else { break }
                }
                local = segs
            }
            guard i == s.count else { return nil }
            return (epoch, release, pre, post, dev, local)
        }
    }
}
