/// A Go module version (`v1.2.3`, `v0.0.0-20191109021931-daa7c04131f5`, `v2.0.0+incompatible`)
/// ordered like golang.org/x/mod/semver: pseudo-versions are pre-releases and order by their
/// timestamp, build metadata such as `+incompatible` is ignored, and `v1`/`v1.2` mean `v1.0.0`/`v1.2.0`.
/// The `v` is optional because OSV records write Go versions without it.
public struct GoModuleVersion: EcosystemVersion {
    public let semver: SemanticVersion

    public var isIncompatible: Bool { semver.build == ["incompatible"] }

    /// True for the three pseudo-version forms (`vX.0.0-yyyymmddhhmmss-abcdefabcdef`,
    /// `vX.Y.Z-pre.0.yyyymmddhhmmss-…`, `vX.Y.(Z+1)-0.yyyymmddhhmmss-…`).
    public var isPseudoVersion: Bool { pseudoParts != nil }
    public var pseudoTimestamp: String? { pseudoParts?.timestamp }
    public var pseudoRevision: String? { pseudoParts?.revision }

    public init(_ string: String) throws(VersionParseError) {
        var s = ASCII.trimmed(string)
        if s.first == "v" { s = s.dropFirst() }
        // x/mod/semver accepts vMAJOR and vMAJOR.MINOR without pre-release or build.
        let coreEnd = s.firstIndex(where: { $0 == "-" || $0 == "+" }) ?? s.endIndex
        let dots = s[..<coreEnd].filter { $0 == "." }.count
        if coreEnd == s.endIndex && dots < 2 {
            s = Substring(String(s) + String(repeating: ".0", count: 2 - dots))
        }
        semver = try SemanticVersion(parsing: s, original: string)
    }

    private var pseudoParts: (timestamp: String, revision: String)? {
        let pre = semver.prerelease
        guard let last = pre.last, pre.count >= 1 else { return nil }
        // The last dot-separated identifier is `yyyymmddhhmmss-revision`.
        let pieces = last.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].count == 14, ASCII.isAllDigits(pieces[0].utf8),
              !pieces[1].isEmpty, pieces[1].utf8.allSatisfy(ASCII.isAlnum) else { return nil }
        if pre.count == 1 {
            guard semver.minor == "0" && semver.patch == "0" else { return nil }
        } else {
            guard pre[pre.count - 2] == "0" else { return nil }
        }
        return (String(pieces[0]), String(pieces[1]))
    }

    public func compare(to o: GoModuleVersion) -> Ordering { semver.compare(to: o.semver) }
    public var description: String { "v" + semver.description }
    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
}
