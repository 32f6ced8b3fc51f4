import Analysis
import Versioning

/// Where the advisories for one package live: namespace, key and the version to compare.
struct AdvisoryKey: Hashable {
    var namespace: String
    var key: String
    var version: String
    var ecosystem: Ecosystem
    /// `distro` or `ecosystem` (see `MatchDetails.kind`).
    var kind: String

    /// The keys to search for `package` in an image of `os`; empty when the package cannot be
    /// matched (unknown OS, or a language package its OS package manager installed — for those
    /// the distribution's advisory for the owning OS package decides, as its backported fixes
    /// would otherwise be reported as upstream vulnerabilities).
    static func keys(for package: Package, os: OSRelease?) -> [AdvisoryKey] {
        switch package.type {
        case .deb:
            guard let os, ["debian", "ubuntu"].contains(os.family) else { return [] }
            // Debian's and Ubuntu's trackers key advisories by source package and source version.
            return [AdvisoryKey(namespace: "\(os.family):\(os.releaseKey)", key: package.sourceName ?? package.name,
                                version: package.sourceVersion ?? package.version, ecosystem: .dpkg, kind: "distro")]
        case .apk:
            guard let os, ["alpine", "wolfi", "chainguard"].contains(os.family) else { return [] }
            let namespace = os.family == "alpine" ? "alpine:\(os.releaseKey)" : os.family
            return [AdvisoryKey(namespace: namespace, key: package.sourceName ?? package.name,
                                version: package.version, ecosystem: .apk, kind: "distro")]
        case .rpm:
            guard let os else { return [] }
            let family = ["almalinux": "alma", "redhat": "rhel"][os.family] ?? os.family
            let namespace = "\(family):\(os.releaseKey)"
            let names = [package.name] + (package.sourceName.map { $0 == package.name ? [] : [$0] } ?? [])
            return names.map { AdvisoryKey(namespace: namespace, key: $0, version: package.version, ecosystem: .rpm, kind: "distro") }
        default:
            if package.properties["ownedBy"] != nil { return [] }
            guard let (namespace, ecosystem) = ecosystemNamespace(package.type) else { return [] }
            var key = package.name
            var version = package.version
            switch package.type {
            case .pypi: key = pep503(key)
            case .golang where version.hasPrefix("v"): version.removeFirst()  // OSV's Go versions have no "v"
            default: break
            }
            guard !version.isEmpty else { return [] }
            return [AdvisoryKey(namespace: namespace, key: key, version: version, ecosystem: ecosystem, kind: "ecosystem")]
        }
    }

    static func ecosystemNamespace(_ type: PackageType) -> (String, Ecosystem)? {
        switch type {
        case .pypi: return ("pypi", .pep440)
        case .npm: return ("npm", .npm)
        case .golang: return ("go", .go)
        case .maven: return ("maven", .maven)
        case .gem: return ("rubygems", .rubygems)
        case .cargo: return ("crates.io", .cargo)
        case .composer: return ("packagist", .composer)
        case .nuget: return ("nuget", .nuget)
        case .deb, .apk, .rpm: return nil
        }
    }

    /// PEP 503 name normalisation (how the database keys PyPI packages).
    static func pep503(_ name: String) -> String {
        name.lowercased().replacing(/[-_.]+/, with: "-")
    }
}

/// The advisory keys an inventory's packages are matched under, as `namespace|package`: what a
/// database update has to have touched for the inventory's findings to change.
public enum AdvisoryKeys {
    public static func of(_ inventory: ImageInventory) -> Set<String> {
        var out = Set<String>()
        for package in inventory.packages {
            for key in AdvisoryKey.keys(for: package, os: inventory.os) { out.insert("\(key.namespace)|\(key.key)") }
        }
        return out
    }
}

/// The packages a database update can change: those with an advisory key among the keys the
/// update changed (`DatabaseFingerprint.changedKeys`). Built once per update and asked for every
/// package of every stored image, so the common "no" is a set lookup on names the package
/// already has, without building its keys.
public struct AdvisoryKeyFilter: Sendable {
    public let keys: Set<String>
    /// The package-name parts of `keys` ("debian:12|openssl" → "openssl").
    private let names: Set<Substring>

    public init(keys: Set<String>) {
        self.keys = keys
        names = Set(keys.compactMap { key in key.firstIndex(of: "|").map { key[key.index(after: $0)...] } })
    }

    public func matches(_ package: Package, os: OSRelease?) -> Bool {
        // A key's name is the package's name or source name, except PyPI's (normalised).
        guard package.type == .pypi || names.contains(Substring(package.name))
                || package.sourceName.map({ names.contains(Substring($0)) }) == true else { return false }
        return AdvisoryKey.keys(for: package, os: os).contains { keys.contains("\($0.namespace)|\($0.key)") }
    }
}
