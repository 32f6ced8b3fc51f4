/// A crate version: strict SemVer 2 as the `semver` crate parses it. Ordered by SemVer
/// precedence (the crate's `Ord` additionally orders build metadata; precedence ignores it).
public struct CargoVersion: EcosystemVersion {
    public let semver: SemanticVersion

    public init(_ string: String) throws(VersionParseError) {
        semver = try SemanticVersion(parsing: ASCII.trimmed(string), original: string)
    }

    public func compare(to o: CargoVersion) -> Ordering { semver.compare(to: o.semver) }
    public var description: String { semver.description }
    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
}
