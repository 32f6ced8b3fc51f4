/// Caps that keep a hostile layer from exhausting memory, disk or time. The defaults are far
/// above anything real images contain.
public struct AnalysisLimits: Sendable {
    /// Tar entries per layer.
    public var maxEntries = 5_000_000
    /// A wanted file larger than this goes to a private temporary file instead of memory.
    public var maxInMemoryFile = 32 << 20
    /// Wanted files larger than this are not analysed at all (recorded as an error).
    public var maxAnalysedFile: Int64 = 4 << 30
    /// Uncompressed bytes per compressed byte, enforced once a layer has produced `ratioGrace`
    /// bytes (real layers compress 2–10×; a zip bomb 1000× and more).
    public var maxCompressionRatio: Int64 = 250
    public var ratioGrace: Int64 = 256 << 20
    /// Uncompressed bytes per layer.
    public var maxLayerSize: Int64 = 128 << 30

    public init() {}
}
