/// Versioning: version ordering and range membership for the package ecosystems Drydock scans.
///
/// Each ecosystem has its own comparator that reproduces the ordering of that ecosystem's own
/// tool (dpkg, rpm, apk-tools, Python `packaging`, node-semver, Go's x/mod/semver, Maven's
/// ComparableVersion, RubyGems, NuGet, Composer, Cargo), because a vulnerability matcher that
/// orders versions differently from the package manager reports wrong fixes.
///
/// Deliberately out of scope: resolving dependencies, fetching metadata, choosing the "best"
/// version, Composer/NuGet floating versions, and anything that needs the network or a clock.
/// Numeric segments are compared as digit strings, so huge numbers never overflow or trap.

/// The result of comparing two versions; Foundation-free on purpose so the module has no dependencies.
public enum Ordering: Int, Sendable, Hashable, CustomStringConvertible {
    case less = -1
    case equal = 0
    case greater = 1

    init<T: Comparable>(_ a: T, _ b: T) {
        self = a < b ? .less : (a == b ? .equal : .greater)
    }

    init(sign value: Int) {
        self = value < 0 ? .less : (value == 0 ? .equal : .greater)
    }

    public var reversed: Ordering { Ordering(rawValue: -rawValue) ?? .equal }

    /// Chains lexicographic comparisons: only consults `next` when this one is a tie.
    @inline(__always)
    func then(_ next: @autoclosure () -> Ordering) -> Ordering {
        self == .equal ? next() : self
    }

    public var description: String {
        switch self {
        case .less: return "<"
        case .equal: return "="
        case .greater: return ">"
        }
    }
}

/// The ecosystems whose version syntax and ordering this module knows.
public enum Ecosystem: String, Sendable, CaseIterable {
    case dpkg, apk, rpm, pep440, semver, npm, go, maven, rubygems, nuget, composer, cargo
}

/// Uniform entry point for callers that only know the ecosystem at run time.
public struct VersionComparator: Sendable {
    public let ecosystem: Ecosystem

    public init(_ ecosystem: Ecosystem) {
        self.ecosystem = ecosystem
    }

    public func compare(_ a: String, _ b: String) throws(VersionParseError) -> Ordering {
        try ecosystem.parse(a).compare(toString: b)
    }

    /// Throws when `version` is not a version of this ecosystem.
    public func validate(_ version: String) throws(VersionParseError) {
        _ = try ecosystem.parse(version)
    }

    public static func compare(_ a: String, _ b: String, in ecosystem: Ecosystem) throws(VersionParseError) -> Ordering {
        try VersionComparator(ecosystem).compare(a, b)
    }
}

/// Compares two version strings with the rules of `ecosystem`.
public func compare(_ a: String, _ b: String, in ecosystem: Ecosystem) throws(VersionParseError) -> Ordering {
    try VersionComparator(ecosystem).compare(a, b)
}
