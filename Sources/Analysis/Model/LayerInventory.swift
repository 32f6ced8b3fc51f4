/// Everything the analyzers found in one layer, independent of the layers below and above it —
/// which is what makes it cacheable by layer. Paths are absolute image paths.
public struct LayerInventory: Codable, Sendable, Equatable {
    /// Bumped when this structure or the layer walk changes meaning (part of the cache key).
    public static let formatVersion = 3

    /// The uncompressed layer digest (the image config's diff_id) when known, else the blob digest.
    public var diffID: String
    /// Packages per analysed file. A file that was analysed and held nothing is present with an
    /// empty list, so that it still replaces the same path from a lower layer.
    public var files: [String: [Package]]
    /// Language-metadata files an OS package manager installed: path → `type:name`.
    public var ownedFiles: [String: String]
    /// Small files that identify the OS (`/etc/os-release`…), and symlinks among those paths.
    public var osFiles: [String: OSFile]
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    public var deleted: [String]
    /// Directories whose lower-layer content this layer hides (`.wh..wh..opq`).
    public var opaqueDirectories: [String]
    /// Files that could not be analysed, as "path: reason" (the rest of the layer still counts).
    public var errors: [String]
    public var entryCount: Int
    public var uncompressedSize: Int64
    /// Why reading stopped before the end of the layer (a bound of `AnalysisLimits`); nil when
    /// the whole layer was read. Such a layer is never cached.
    public var incomplete: String?

    public init(diffID: String) {
        self.diffID = diffID
        files = [:]
        ownedFiles = [:]
        osFiles = [:]
        deleted = []
        opaqueDirectories = []
        errors = []
        entryCount = 0
        uncompressedSize = 0
    }
}

/// An OS identification file's content, or a symlink at one of those paths.
public enum OSFile: Codable, Sendable, Equatable {
    case content(String)
    case symlink(String)
}
