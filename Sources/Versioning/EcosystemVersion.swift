/// What every per-ecosystem version type provides; lets ranges and the uniform entry point
/// work with any ecosystem without a switch at every call site.
public protocol EcosystemVersion: Comparable, Sendable, CustomStringConvertible {
    init(_ string: String) throws(VersionParseError)
    func compare(to other: Self) -> Ordering
}

extension EcosystemVersion {
    func compare(toString other: String) throws(VersionParseError) -> Ordering {
        compare(to: try Self(other))
    }
}

extension Ecosystem {
    func parse(_ string: String) throws(VersionParseError) -> any EcosystemVersion {
        switch self {
        case .dpkg: return try DpkgVersion(string)
        case .apk: return try ApkVersion(string)
        case .rpm: return try RpmVersion(string)
        case .pep440: return try PEP440Version(string)
        case .semver: return try SemanticVersion(string)
        case .npm: return try NpmVersion(string)
        case .go: return try GoModuleVersion(string)
        case .maven: return try MavenVersion(string)
        case .rubygems: return try RubyGemsVersion(string)
        case .nuget: return try NuGetVersion(string)
        case .composer: return try ComposerVersion(string)
        case .cargo: return try CargoVersion(string)
        }
    }
}
