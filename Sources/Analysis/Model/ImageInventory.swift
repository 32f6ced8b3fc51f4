/// The package inventory of one image (one platform): what `drydock sbom` prints and what
/// matching consumes. Stable JSON: fields are only ever added.
public struct ImageInventory: Codable, Sendable {
    public static let schemaVersion = 1

    public struct Layer: Codable, Sendable, Equatable {
        /// 1-based position, bottom layer first.
        public var index: Int
        /// The blob digest from the manifest (what registries store).
        public var digest: String
        /// The uncompressed digest from the image config (rootfs.diff_ids).
        public var diffID: String?
        public var size: Int64
        /// The history entry that made it (`created_by`), if the config records one.
        public var createdBy: String?
        /// Packages whose file this layer introduced (after whiteouts).
        public var packageCount: Int
        public var fromCache: Bool
    }

    public var schemaVersion = ImageInventory.schemaVersion
    /// The image as the user named it.
    public var source: String
    public var manifestDigest: String?
    public var configDigest: String?
    /// os/arch[/variant]
    public var platform: String?
    public var os: OSRelease?
    public var layers: [Layer]
    /// Sorted by type, name, version, location.
    public var packages: [Package]
    /// Files that could not be analysed ("path: analyzer: reason"); the rest of the image counts.
    public var errors: [String]

    public init(source: String, manifestDigest: String? = nil, configDigest: String? = nil, platform: String? = nil,
                os: OSRelease? = nil, layers: [Layer] = [], packages: [Package] = [], errors: [String] = []) {
        self.source = source
        self.manifestDigest = manifestDigest
        self.configDigest = configDigest
        self.platform = platform
        self.os = os
        self.layers = layers
        self.packages = packages
        self.errors = errors
    }
}
