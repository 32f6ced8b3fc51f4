import Analysis
import Synchronization
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

    /// PEP 503 name normalisation (how the database keys PyPI packages): lower case, and every
    /// run of `-`, `_` and `.` one `-`. A byte loop: a regex literal is parsed again on every
    /// call, which made this a quarter of a re-match after a database update.
    static func pep503(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var inSeparator = false
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                if !inSeparator { out.append(UInt8(ascii: "-")) }
                inSeparator = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte + 32)
                inSeparator = false
            default:
                out.append(byte)
                inSeparator = false
            }
        }
        // Names outside ASCII are not valid PyPI names; lower-case them the general way.
        let text = String(decoding: out, as: UTF8.self)
        return out.allSatisfy { $0 < 0x80 } ? text : text.lowercased()
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
/// update changed (`DatabaseFingerprint.changedKeys`). Built once per update and asked about
/// every package of every stored image: `mightMatch` answers from names alone (a set lookup,
/// usable before a stored package is even decoded), and `matches` works out a package's keys
/// once per distinct package, since images share most of theirs.
public final class AdvisoryKeyFilter: Sendable {
    public let keys: Set<String>
    /// The package-name parts of `keys` ("debian:12|openssl" → "openssl").
    private let names: Set<Substring>
    private let decisions = Mutex<[Decision: Bool]>([:])

    /// Everything `AdvisoryKey.keys(for:os:)` looks at.
    private struct Decision: Hashable {
        var type: PackageType
        var name: String
        var sourceName: String?
        var version: String
        var owned: Bool
        var os: String?
    }

    public init(keys: Set<String>) {
        self.keys = keys
        names = Set(keys.compactMap { key in key.firstIndex(of: "|").map { key[key.index(after: $0)...] } })
    }

    /// False when no key of a package with this type, name and source name can have changed.
    /// A key's name is the package's name or source name, except PyPI's (normalised).
    public func mightMatch(type: PackageType, name: String, sourceName: String?) -> Bool {
        if type == .pypi { return names.contains(Substring(AdvisoryKey.pep503(name))) }
        return names.contains(Substring(name)) || sourceName.map { names.contains(Substring($0)) } == true
    }

    public func matches(_ package: Package, os: OSRelease?) -> Bool {
        guard mightMatch(type: package.type, name: package.name, sourceName: package.sourceName) else { return false }
        let decision = Decision(type: package.type, name: package.name, sourceName: package.sourceName, version: package.version,
                                owned: package.properties["ownedBy"] != nil, os: os.map { "\($0.family):\($0.releaseKey)" })
        if let known = decisions.withLock({ $0[decision] }) { return known }
        let result = AdvisoryKey.keys(for: package, os: os).contains { keys.contains("\($0.namespace)|\($0.key)") }
        decisions.withLock {
            if $0.count >= 100_000 { $0.removeAll(keepingCapacity: true) }
            $0[decision] = result
        }
        return result
    }
}
