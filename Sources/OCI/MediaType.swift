/// Media types the registry distinguishes. Anything else is stored as opaque content.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    public static let ociLayerTar = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    /// Manifest types that describe a single image or artifact.
    public static let imageManifests: Set<String> = [ociManifest, dockerManifest]
    /// Manifest types that list other manifests.
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    public static let manifests: Set<String> = imageManifests.union(indexes)

    /// The Accept header a client sends to get any manifest we understand.
    public static let manifestAccept = [ociIndex, ociManifest, dockerManifestList, dockerManifest].joined(separator: ", ")

    /// RFC 6838 shape: `type/subtype` of restricted-name characters (plus parameters we ignore).
    public static func isWellFormed(_ value: String) -> Bool {
        let essence = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingSpaces.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.utf8.first, part.utf8.count <= 127 else { return false }
            func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) }
            return alnum(first) && part.utf8.allSatisfy { alnum($0) || "!#$&-^_.+".utf8.contains($0) }
        }
    }

    /// The media type without parameters (`; charset=utf-8`), lowercased.
    public static func essence(_ value: String) -> String {
        (value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "").trimmingSpaces.lowercased()
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
