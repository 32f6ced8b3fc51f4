/// An RPM `[epoch:]version[-release]`, ordered like rpm's rpmvercmp (rpmio/rpmvercmp.c) and
/// `rpm.labelCompare`: epochs default to 0, and a missing release sorts below any release.
public struct RpmVersion: EcosystemVersion {
    public let epoch: String?
    public let version: String
    public let release: String?

    public init(_ string: String) throws(VersionParseError) {
        let s = ASCII.trimmed(string)
        if s.isEmpty { throw VersionParseError(string, "version string is empty") }
        if s.contains(where: { $0.isASCIIWhitespaceLike }) { throw VersionParseError(string, "version string has embedded spaces") }
        // Same split as rpm's parseEVR: leading digits then ':' make the epoch, last '-' the release.
        let digitsEnd = s.firstIndex(where: { !("0"..."9").contains($0) }) ?? s.endIndex
        var rest = s
        if digitsEnd < s.endIndex, s[digitsEnd] == ":" {
            let e = s[..<digitsEnd]
            epoch = e.isEmpty ? "0" : String(e)
            rest = s[s.index(after: digitsEnd)...]
        } else {
            epoch = nil
        }
        if let hyphen = rest.lastIndex(of: "-") {
            version = String(rest[..<hyphen])
            release = String(rest[rest.index(after: hyphen)...])
        } else {
            version = String(rest)
            release = nil
        }
        if version.isEmpty { throw VersionParseError(string, "version part is empty") }
    }

    public func compare(to other: RpmVersion) -> Ordering {
        Self.rpmvercmp(epoch ?? "0", other.epoch ?? "0")
            .then(Self.rpmvercmp(version, other.version))
            .then(Self.compareOptional(release, other.release))
    }

    private static func compareOptional(_ a: String?, _ b: String?) -> Ordering {
        switch (a, b) {
        case (nil, nil): return .equal
        case (nil, _): return .less
        case (_, nil): return .greater
        case let (x?, y?): return rpmvercmp(x, y)
        }
    }

    public var description: String {
        (epoch.map { "\($0):" } ?? "") + version + (release.map { "-\($0)" } ?? "")
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    /// rpmvercmp: alternating alpha/numeric segments, separators ignored; `~` sorts before
    /// everything including the end, `^` sorts after the end but before any other segment.
    public static func rpmvercmp(_ a: String, _ b: String) -> Ordering {
        if a == b { return .equal }
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        let tilde = UInt8(ascii: "~"), caret = UInt8(ascii: "^")
        func at(_ s: [UInt8], _ k: Int) -> UInt8? { k < s.count ? s[k] : nil }
        func isSep(_ c: UInt8) -> Bool { !ASCII.isAlnum(c) && c != tilde && c != caret }
        while i < x.count || j < y.count {
            while i < x.count, isSep(x[i]) { i += 1 }
            while j < y.count, isSep(y[j]) { j += 1 }
            let c1 = at(x, i), c2 = at(y, j)
            if c1 == tilde || c2 == tilde {
                if c1 != tilde { return .greater }
                if c2 != tilde { return .less }
                i += 1; j += 1
                continue
            }
            if c1 == caret || c2 == caret {
                if c1 == nil { return .less }
                if c2 == nil { return .greater }
                if c1 != caret { return .greater }
                if c2 != caret { return .less }
                i += 1; j += 1
                continue
            }
            guard let c1 else { break }
            guard c2 != nil else { break }
            let isNum = ASCII.isDigit(c1)
            func inSegment(_ c: UInt8) -> Bool { isNum ? ASCII.isDigit(c) : ASCII.isAlpha(c) }
            var e1 = i
            while e1 < x.count, inSegment(x[e1]) { e1 += 1 }
            var e2 = j
            while e2 < y.count, inSegment(y[e2]) { e2 += 1 }
            // Segments of different kinds: numeric is newer than alpha.
            if e2 == j { return isNum ? .greater : .less }
            let r = isNum ? ASCII.compareDigits(x[i..<e1], y[j..<e2]) : ASCII.compareBytes(x[i..<e1], y[j..<e2])
            if r != .equal { return r }
            i = e1; j = e2
        }
        let end1 = i >= x.count, end2 = j >= y.count
        if end1 && end2 { return .equal }
        return end1 ? .less : .greater
    }
}
