/// A strict SemVer 2.0.0 version with SemVer precedence: build metadata is kept but ignored
/// for ordering, numeric identifiers compare numerically (as digit strings, so any length is safe).
public struct SemanticVersion: EcosystemVersion, Hashable {
    public let major: String
    public let minor: String
    public let patch: String
    public let prerelease: [String]
    public let build: [String]

    public var isPrerelease: Bool { !prerelease.isEmpty }
    /// `major.minor.patch`, the key npm and Cargo use to decide which pre-releases a range admits.
    public var core: String { "\(major).\(minor).\(patch)" }

    public init(_ string: String) throws(VersionParseError) {
        try self.init(parsing: Substring(string), original: string)
    }

    init(major: String, minor: String, patch: String, prerelease: [String] = [], build: [String] = []) {
        (self.major, self.minor, self.patch, self.prerelease, self.build) = (major, minor, patch, prerelease, build)
    }

    /// Parses exactly `M.m.p[-pre][+build]`; callers strip ecosystem-specific prefixes first.
    init(parsing s: Substring, original: String) throws(VersionParseError) {
        var rest = s
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<plus]
            guard build.allSatisfy(Self.isIdentifier) else { throw VersionParseError(original, "invalid build metadata") }
        }
        var pre: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<dash]
            for id in pre {
                guard Self.isIdentifier(id) else { throw VersionParseError(original, "invalid pre-release identifier \"\(id)\"") }
                if ASCII.isAllDigits(id.utf8) && id.count > 1 && id.hasPrefix("0") {
                    throw VersionParseError(original, "numeric pre-release identifier with leading zero")
                }
            }
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else { throw VersionParseError(original, "expected MAJOR.MINOR.PATCH") }
        for part in core {
            guard ASCII.isAllDigits(part.utf8) else { throw VersionParseError(original, "non-numeric version core") }
            if part.count > 1 && part.hasPrefix("0") { throw VersionParseError(original, "leading zero in version core") }
        }
        self.init(major: String(core[0]), minor: String(core[1]), patch: String(core[2]), prerelease: pre, build: build)
    }

    static func isIdentifier<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ASCII.isAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    public func compare(to o: SemanticVersion) -> Ordering {
        ASCII.compareDigits(major.utf8, o.major.utf8)
            .then(ASCII.compareDigits(minor.utf8, o.minor.utf8))
            .then(ASCII.compareDigits(patch.utf8, o.patch.utf8))
            .then(Self.comparePrerelease(prerelease, o.prerelease))
    }

    static func comparePrerelease(_ a: [String], _ b: [String], caseInsensitive: Bool = false) -> Ordering {
        if a.isEmpty && b.isEmpty { return .equal }
        // A release sorts above all of its pre-releases.
        if a.isEmpty { return .greater }
        if b.isEmpty { return .less }
        for (x, y) in zip(a, b) {
            let xn = ASCII.isAllDigits(x.utf8), yn = ASCII.isAllDigits(y.utf8)
            let r: Ordering
            switch (xn, yn) {
            case (true, true): r = ASCII.compareDigits(x.utf8, y.utf8)
            case (true, false): r = .less
            case (false, true): r = .greater
            case (false, false):
                r = caseInsensitive ? ASCII.compareBytes(x.utf8.map(ASCII.upper), y.utf8.map(ASCII.upper)) : ASCII.compareBytes(x.utf8, y.utf8)
            }
            if r != .equal { return r }
        }
        return Ordering(a.count, b.count)
    }

    public var description: String {
        core + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: ".")) + (build.isEmpty ? "" : "+" + build.joined(separator: "."))
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
    public func hash(into h: inout Hasher) { h.combine(core); h.combine(prerelease) }
}
