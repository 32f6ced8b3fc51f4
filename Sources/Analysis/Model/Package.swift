/// The package formats Drydock inventories. Raw values are the purl types (package-url spec),
/// which is also how reports name them.
public enum PackageType: String, Codable, Sendable, CaseIterable, Comparable {
    case deb, apk, rpm
    case pypi, npm, golang, maven, gem, cargo, composer, nuget

    /// Whether the operating system's package manager installed it (as opposed to a language tool).
    public var isOSPackage: Bool { self == .deb || self == .apk || self == .rpm }

    public static func < (a: PackageType, b: PackageType) -> Bool { a.rank < b.rank }

    /// The position in `allCases` (the order reports list types in).
    var rank: Int {
        switch self {
        case .deb: 0
        case .apk: 1
        case .rpm: 2
        case .pypi: 3
        case .npm: 4
        case .golang: 5
        case .maven: 6
        case .gem: 7
        case .cargo: 8
        case .composer: 9
        case .nuget: 10
        }
    }
}

/// One installed package, as an analyzer found it in one file of one layer.
public struct Package: Codable, Hashable, Sendable {
    public var type: PackageType
    /// As the ecosystem spells it: dpkg/apk/rpm package name, PyPI project name as in its metadata,
    /// npm name with scope (`@types/node`), Go module path, Maven `groupId:artifactId`, gem name…
    public var name: String
    /// The full native version: dpkg `[epoch:]upstream[-revision]`, apk `1.2.3-r0`,
    /// rpm `[epoch:]version-release`, the literal version for language packages.
    public var version: String
    /// OS packages: the source package (deb `Source:`, apk origin, rpm source rpm name) and its
    /// version when it differs from `version` (deb `Source: name (version)`). Nil when not known.
    public var sourceName: String?
    public var sourceVersion: String?
    public var arch: String?
    /// SPDX identifiers or license text as declared, in order.
    public var licenses: [String]
    /// Absolute path of the file the package was found in (`/var/lib/dpkg/status`,
    /// `/opt/app/lib/app.jar`). For content nested inside that file (a jar inside a jar), the
    /// inner path is in `properties["nestedPath"]`.
    public var location: String
    /// Format-specific facts worth keeping: `modularityLabel` (rpm), `goToolchain`, `dev` (npm
    /// lockfile dev dependency), `mainModule` (Go), `nestedPath`…
    public var properties: [String: String]
    /// The digest of the layer that introduced the file the package was found in. Filled in when
    /// layers are assembled into the image inventory; nil inside a single layer's analysis.
    public var layerDigest: String?
    /// The package URL, filled in with `layerDigest` (it needs the detected OS).
    public var purl: String?

    public init(type: PackageType, name: String, version: String, sourceName: String? = nil,
                sourceVersion: String? = nil, arch: String? = nil, licenses: [String] = [],
                location: String, properties: [String: String] = [:], layerDigest: String? = nil) {
        self.type = type
        self.name = name
        self.version = version
        self.sourceName = sourceName
        self.sourceVersion = sourceVersion
        self.arch = arch
        self.licenses = licenses
        self.location = location
        self.properties = properties
        self.layerDigest = layerDigest
    }
}
