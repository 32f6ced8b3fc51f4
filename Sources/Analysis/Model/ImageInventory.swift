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
    /// Why the inventory is partial — a bound of `AnalysisLimits` stopped reading a layer
    /// ("layer N (DIGEST): reason") — or nil (absent from the JSON) when every layer was read
    /// to its end. The packages found before the bound are reported.
    public var incomplete: [String]?

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

extension ImageInventory {
    /// The inventory without the lock entries marked development-only (Composer's
    /// `packages-dev`, npm's `"dev": true`, yarn and pnpm entries reached only through
    /// `devDependencies`, Bundler's development group): what `sbom` and `scan` report unless
    /// asked for `--include-dev-deps`, as Trivy does, and what the defender matches. Installed
    /// packages are never dropped, even those Composer's installed.json names as dev packages:
    /// a dev dependency that is installed is in the image (phpunit's `eval-stdin.php` is the
    /// classic case of one being exploited in production).
    public func withoutDevelopmentDependencies() -> ImageInventory {
        var copy = self
        copy.packages = []
        var dropped: [String: Int] = [:]
        for package in packages {
            if package.properties["dev"] == "true" && LockfileScope.isLockfile(package.location) {
                if let layer = package.layerDigest { dropped[layer, default: 0] += 1 }
            } else {
                copy.packages.append(package)
            }
        }
        guard copy.packages.count != packages.count else { return self }
        for index in copy.layers.indices {
            let digest = copy.layers[index].digest
            guard let count = dropped.removeValue(forKey: digest) else { continue }
            copy.layers[index].packageCount -= count
        }
        return copy
    }
}
