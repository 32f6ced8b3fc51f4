/// The operating system an image is built on, as far as its files say.
public struct OSRelease: Codable, Hashable, Sendable {
    /// Lower-case distribution id: debian, ubuntu, alpine, wolfi, chainguard, rhel, rocky,
    /// almalinux, centos, fedora, amazon, oracle, sles, opensuse-leap, photon…
    public var family: String
    /// As precise as the files allow ("12.7" from /etc/debian_version, "3.18.4", "8.8").
    public var version: String
    public var codename: String?
    /// PRETTY_NAME, for people.
    public var prettyName: String?
    /// Set for images that carry a distribution's packages without its package manager
    /// (Google's distroless images say so in PRETTY_NAME).
    public var isDistroless: Bool

    public init(family: String, version: String, codename: String? = nil, prettyName: String? = nil, isDistroless: Bool = false) {
        self.family = family
        self.version = version
        self.codename = codename
        self.prettyName = prettyName
        self.isDistroless = isDistroless
    }

    /// The release as vulnerability data keys it: Debian/RHEL-likes by major version, Ubuntu by
    /// YY.MM, Alpine by major.minor, rolling distributions by name alone.
    public var releaseKey: String {
        let parts = version.split(separator: ".")
        switch family {
        case "debian", "rhel", "rocky", "almalinux", "centos", "oracle", "fedora", "amazon", "photon":
            return parts.first.map(String.init) ?? version
        case "ubuntu", "alpine", "sles", "opensuse-leap":
            return parts.prefix(2).joined(separator: ".")
        default:
            return version
        }
    }

    /// The purl `distro` qualifier ("debian-12", "alpine-3.18.4").
    public var purlDistro: String { "\(family)-\(version)" }
}
