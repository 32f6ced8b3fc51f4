/// A Debian package version, `[epoch:]upstream[-revision]`, ordered exactly like dpkg's
/// lib/dpkg/version.c (verrevcmp). Like dpkg, odd characters are tolerated (dpkg only warns),
/// but structural errors (empty parts, bad epoch, embedded blanks) are rejected.
public struct DpkgVersion: EcosystemVersion {
    public let epoch: Int
    public let upstream: String
    public let revision: String
    private let upstreamBytes: [UInt8]
    private let revisionBytes: [UInt8]

    public init(_ string: String) throws(VersionParseError) {
        let s = ASCII.trimmed(string)
        if s.isEmpty { throw VersionParseError(string, "version string is empty") }
        if s.contains(where: { $0.isASCIIWhitespaceLike }) { throw VersionParseError(string, "version string has embedded spaces") }
        var rest = s
        var epoch = 0
        if let colon = s.firstIndex(of: ":") {
            let e = s[..<colon]
            if e.isEmpty { throw VersionParseError(string, "epoch in version is empty") }
            guard ASCII.isAllDigits(e.utf8) else { throw VersionParseError(string, "epoch in version is not number") }
            // dpkg rejects epochs above INT_MAX; stop accumulating before Int could overflow.
            for c in e.utf8 {
                epoch = epoch * 10 + Int(c - 0x30)
                if epoch > Int(Int32.max) { throw VersionParseError(string, "epoch in version is too big") }
            }
            rest = s[s.index(after: colon)...]
            if rest.isEmpty { throw VersionParseError(string, "nothing after colon in version number") }
        }
        var upstream = rest
        var revision: Substring = ""
        if let hyphen = rest.lastIndex(of: "-") {
            upstream = rest[..<hyphen]
            revision = rest[rest.index(after: hyphen)...]
            if revision.isEmpty { throw VersionParseError(string, "revision number is empty") }
        }
        if upstream.isEmpty { throw VersionParseError(string, "version number is empty") }
        self.epoch = epoch
        self.upstream = String(upstream)
        self.revision = String(revision)
        self.upstreamBytes = Array(upstream.utf8)
        self.revisionBytes = Array(revision.utf8)
    }

    public func compare(to other: DpkgVersion) -> Ordering {
        Ordering(epoch, other.epoch)
            .then(Self.verrevcmp(upstreamBytes, other.upstreamBytes))
            .then(Self.verrevcmp(revisionBytes, other.revisionBytes))
    }

    public var description: String {
        (epoch != 0 ? "\(epoch):" : "") + upstream + (revision.isEmpty ? "" : "-\(revision)")
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    /// dpkg's weight of a non-digit byte: `~` before the end of the string, the end before
    /// letters, letters before everything else. Bytes are signed chars in dpkg on x86.
    private static func order(_ c: UInt8?) -> Int {
        guard let c else { return 0 }
        if ASCII.isDigit(c) { return 0 }
        if ASCII.isAlpha(c) { return Int(c) }
        if c == UInt8(ascii: "~") { return -1 }
        return Int(Int8(bitPattern: c)) + 256
    }

    static func verrevcmp(_ a: [UInt8], _ b: [UInt8]) -> Ordering {
        var i = 0, j = 0
        func at(_ s: [UInt8], _ k: Int) -> UInt8? { k < s.count ? s[k] : nil }
        func nonDigit(_ s: [UInt8], _ k: Int) -> Bool { k < s.count && !ASCII.isDigit(s[k]) }
        while i < a.count || j < b.count {
            while nonDigit(a, i) || nonDigit(b, j) {
                let ac = order(at(a, i)), bc = order(at(b, j))
                if ac != bc { return Ordering(sign: ac - bc) }
                i += 1; j += 1
            }
            while at(a, i) == 0x30 { i += 1 }
            while at(b, j) == 0x30 { j += 1 }
            var firstDiff = 0
            while let x = at(a, i), let y = at(b, j), ASCII.isDigit(x), ASCII.isDigit(y) {
                if firstDiff == 0 { firstDiff = Int(x) - Int(y) }
                i += 1; j += 1
            }
            if let x = at(a, i), ASCII.isDigit(x) { return .greater }
            if let y = at(b, j), ASCII.isDigit(y) { return .less }
            if firstDiff != 0 { return Ordering(sign: firstDiff) }
        }
        return .equal
    }
}
