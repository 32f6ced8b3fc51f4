import Foundation
import Synchronization

/// Bounds on the work one image may cost, scaled to the work rather than to how well a layer
/// compresses: a layer of gigabytes of zeros (a `lastlog` after `useradd` with a high UID, a
/// preallocated database file) is read past at decompression speed, not refused. When a bound
/// is reached the analysis stops reading and reports what it found so far, marked incomplete
/// with the reason (`ImageInventory.incomplete`): never nothing. The defaults are far above
/// anything real images contain.
public struct AnalysisLimits: Sendable {
    /// Tar entries per layer.
    public var maxEntries = 5_000_000
    /// A wanted file larger than this goes to a private temporary file instead of memory.
    public var maxInMemoryFile = 32 << 20
    /// Wanted files larger than this are not analysed at all (recorded as an error).
    public var maxAnalysedFile: Int64 = 4 << 30
    /// Uncompressed bytes per layer.
    public var maxLayerSize: Int64 = 128 << 30
    /// Uncompressed bytes per image, all layers together.
    public var maxImageSize: Int64 = 512 << 30
    /// Seconds one image's layers may take to read (from the first layer started).
    public var maxImageSeconds: Double = 900

    public init() {}
}

/// What an image's layers have used of its bounds so far: shared by the layers read at the
/// same time, checked as bytes come out of the decompressor.
final class ImageBudget: Sendable {
    let limits: AnalysisLimits
    private let uncompressed = Atomic<Int64>(0)
    private let deadline: ContinuousClock.Instant

    init(limits: AnalysisLimits) {
        self.limits = limits
        self.deadline = .now + .milliseconds(Int64(limits.maxImageSeconds * 1000))
    }

    /// Counts `bytes` more; the reason to stop when a bound of the image is reached.
    func spend(_ bytes: Int) -> String? {
        let total = uncompressed.add(Int64(bytes), ordering: .relaxed).newValue
        if total > limits.maxImageSize { return "the image's layers uncompress to more than \(limits.maxImageSize) bytes" }
        return nil
    }

    /// The reason to stop when the image's time is up.
    func timeUp() -> String? {
        ContinuousClock.now > deadline ? "reading the image's layers took longer than \(Int(limits.maxImageSeconds)) s" : nil
    }
}
