/// An npm package version as node-semver reads it: SemVer 2 plus a tolerated leading `v` or `=`.
public struct NpmVersion: EcosystemVersion {
    public let semver: SemanticVersion

    public init(_ string: String) throws(VersionParseError) {
        var s = ASCII.trimmed(string)
        if s.first == "=" { s = s.dropFirst() }
        if s.first == "v" { s = s.dropFirst() }
        semver = try SemanticVersion(parsing: s, original: string)
    }

    public func compare(to o: NpmVersion) -> Ordering { semver.compare(to: o.semver) }
    public var description: String { semver.description }
    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
}
