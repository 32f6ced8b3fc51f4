/// Package URLs (https://github.com/package-url/purl-spec) for inventory packages.
public enum PackageURL {
    public static func make(_ package: Package, os: OSRelease?) -> String {
        var namespace: String?
        var name = package.name
        var version = package.version
        var qualifiers: [(String, String)] = []
        switch package.type {
        case .deb, .apk:
            namespace = os?.family ?? (package.type == .deb ? "debian" : "alpine")
            if let arch = package.arch { qualifiers.append(("arch", arch)) }
            if let source = package.sourceName, source != package.name {
                qualifiers.append(("upstream", source))
            }
        case .rpm:
            namespace = os?.family ?? "redhat"
            // The purl spec puts the epoch in a qualifier, not the version.
            if let colon = version.firstIndex(of: ":"), version[..<colon].allSatisfy(\.isNumber) {
                qualifiers.append(("epoch", String(version[..<colon])))
                version = String(version[version.index(after: colon)...])
            }
            if let arch = package.arch { qualifiers.append(("arch", arch)) }
            if let source = package.properties["sourceRpm"] { qualifiers.append(("upstream", source)) }
        case .pypi:
            // PEP 503 normalisation, as the purl spec requires for pypi.
            name = pep503(name)
        case .npm:
            if name.hasPrefix("@"), let slash = name.firstIndex(of: "/") {
                namespace = String(name[..<slash])
                name = String(name[name.index(after: slash)...])
            }
        case .golang, .composer:
            if let slash = name.lastIndex(of: "/") {
                namespace = String(name[..<slash])
                name = String(name[name.index(after: slash)...])
            }
        case .maven:
            if let colon = name.firstIndex(of: ":") {
                namespace = String(name[..<colon])
                name = String(name[name.index(after: colon)...])
            }
        case .gem, .cargo, .nuget:
            break
        }
        if package.type.isOSPackage, let os { qualifiers.append(("distro", os.purlDistro)) }

        var purl = "pkg:\(package.type.rawValue)/"
        if let namespace {
            purl += namespace.split(separator: "/").map { encode(String($0)) }.joined(separator: "/") + "/"
        }
        purl += encode(name)
        if !version.isEmpty { purl += "@" + encode(version) }
        if !qualifiers.isEmpty {
            purl += "?" + qualifiers.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        }
        return purl
    }

    /// Percent-encodes everything outside the unreserved set (and ':' which the spec allows
    /// unencoded but which is ambiguous next to an epoch).
    static func encode(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// PEP 503: lowercase, and every run of '-', '_' and '.' becomes one '-'.
    static func pep503(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for byte in name.lowercased().utf8 {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                if out.last != UInt8(ascii: "-") { out.append(UInt8(ascii: "-")) }
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
