import Foundation

/// Identifies the OS from the release files that survive in the assembled image.
///
/// /etc/os-release (or /usr/lib/os-release, which it usually links to) decides the family; the
/// distribution-specific files refine the version (/etc/debian_version has the point release,
/// os-release only the major) or stand in when os-release is missing (old CentOS, busybox-era
/// Alpine).
public enum OSDetector {
    static let wantedPaths: Set<String> = [
        "/etc/os-release", "/usr/lib/os-release", "/etc/lsb-release",
        "/etc/debian_version", "/etc/alpine-release",
        "/etc/redhat-release", "/etc/centos-release", "/etc/rocky-release", "/etc/almalinux-release",
        "/etc/oracle-release", "/etc/fedora-release", "/etc/system-release", "/etc/photon-release",
        "/etc/SuSE-release",
    ]
    static let maxFileSize: Int64 = 64 << 10

    /// `files`: the surviving OS files of the image (symlinks included, resolved here).
    public static func detect(_ files: [String: OSFile]) -> OSRelease? {
        func read(_ path: String) -> String? {
            var path = path
            for _ in 0..<8 {
                switch files[path] {
                case .content(let text): return text
                case .symlink(let target): path = target
                case nil: return nil
                }
            }
            return nil
        }
        if let text = read("/etc/os-release") ?? read("/usr/lib/os-release"), var release = fromOSRelease(text) {
            if release.family == "debian", let point = read("/etc/debian_version").map(trimmed),
               point.hasPrefix(release.version + "."), point.allSatisfy({ $0.isNumber || $0 == "." }) {
                release.version = point
            }
            if release.family == "debian", release.version.isEmpty, let value = read("/etc/debian_version").map(trimmed) {
                // testing/sid have no VERSION_ID; debian_version says e.g. "trixie/sid".
                release.version = value.split(separator: "/").first.map(String.init) ?? value
            }
            return release
        }
        if let text = read("/etc/alpine-release") {
            return OSRelease(family: "alpine", version: trimmed(text))
        }
        for (path, family) in [("/etc/rocky-release", "rocky"), ("/etc/almalinux-release", "almalinux"),
                               ("/etc/centos-release", "centos"), ("/etc/oracle-release", "oracle"),
                               ("/etc/fedora-release", "fedora"), ("/etc/redhat-release", "rhel"),
                               ("/etc/system-release", "amazon"), ("/etc/photon-release", "photon")] {
            if let text = read(path), let version = firstVersion(in: text) {
                let detected = text.contains("Amazon Linux") ? "amazon" : family
                return OSRelease(family: detected, version: version, prettyName: trimmed(text))
            }
        }
        if let text = read("/etc/debian_version") {
            let value = trimmed(text)
            return OSRelease(family: "debian", version: value.split(separator: "/").first.map(String.init) ?? value)
        }
        if let text = read("/etc/lsb-release") {
            let fields = keyValues(text)
            if let id = fields["DISTRIB_ID"]?.lowercased(), let version = fields["DISTRIB_RELEASE"] {
                return OSRelease(family: id, version: version, codename: fields["DISTRIB_CODENAME"])
            }
        }
        return nil
    }

    static func fromOSRelease(_ text: String) -> OSRelease? {
        let fields = keyValues(text)
        guard var id = fields["ID"]?.lowercased(), !id.isEmpty else { return nil }
        let pretty = fields["PRETTY_NAME"]
        switch id {
        case "amzn": id = "amazon"
        case "ol": id = "oracle"
        default: break  // opensuse-leap, sles, photon, fedora, almalinux… are used as they are
        }
        return OSRelease(family: id, version: fields["VERSION_ID"] ?? "",
                         codename: fields["VERSION_CODENAME"] ?? fields["UBUNTU_CODENAME"],
                         prettyName: pretty,
                         isDistroless: pretty?.localizedStandardContains("distroless") ?? false)
    }

    /// `KEY=value` / `KEY="value"` lines (os-release(5), lsb-release).
    static func keyValues(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            out[String(line[..<equals])] = value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return out
    }

    static func firstVersion(in text: String) -> String? {
        guard let match = text.firstMatch(of: /[0-9]+(\.[0-9]+)*/) else { return nil }
        return String(match.output.0)
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
