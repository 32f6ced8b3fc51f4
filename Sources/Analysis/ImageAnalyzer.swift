import Foundation
import OCI

/// Turns images into inventories: resolves the image, analyses each layer (from the cache when
/// it has been seen before, else streamed through the analyzers), and stacks the layers.
public struct ImageAnalyzer: Sendable {
    public enum Progress: Sendable {
        case resolved(platform: String?, layers: Int)
        case layerStarted(index: Int, digest: String, size: Int64)
        case layerFinished(index: Int, digest: String, fromCache: Bool)
    }

    public var analyzers: [any Analyzer]
    public var limits = AnalysisLimits()
    public var cache: LayerCache?
    /// Layers analysed at the same time (they are independent until assembly).
    public var concurrency = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public var progress: (@Sendable (Progress) -> Void)?

    public init(analyzers: [any Analyzer] = AnalyzerCatalog.all, cache: LayerCache? = nil) {
        self.analyzers = analyzers
        self.cache = cache
    }

    /// One inventory per image the source names (one per platform for an index).
    public func analyze(_ source: any ImageSource, platform: Platform? = nil) async throws -> [ImageInventory] {
        var out: [ImageInventory] = []
        for image in try await source.images(platform: platform) {
            out.append(try await analyze(image, from: source))
        }
        return out
    }

    public func analyze(_ image: ResolvedImage, from source: any ImageSource) async throws -> ImageInventory {
        progress?(.resolved(platform: image.platform?.description, layers: image.layers.count))
        let diffIDs = image.config.rootfs.diffIDs
        let budget = ImageBudget(limits: limits)
        let results = try await withThrowingTaskGroup(of: (Int, LayerInventory, Bool).self) { group in
            var results = [(LayerInventory, Bool)?](repeating: nil, count: image.layers.count)
            var next = 0
            func startNext() {
                guard next < image.layers.count else { return }
                let index = next
                next += 1
                let diffID = diffIDs.indices.contains(index) ? diffIDs[index].description : image.layers[index].digest.description
                group.addTask {
                    let (inventory, cached) = try await analyzeLayer(image.layers[index], diffID: diffID, index: index,
                                                                     of: image, from: source, budget: budget)
                    return (index, inventory, cached)
                }
            }
            for _ in 0..<concurrency { startNext() }
            while let (index, inventory, cached) = try await group.next() {
                results[index] = (inventory, cached)
                startNext()
            }
            return results.map { $0! }
        }

        var assembler = InventoryAssembler()
        for (index, (inventory, _)) in results.enumerated() { assembler.add(inventory, layer: index) }
        let digests = image.layers.map(\.digest.description)
        let assembled = assembler.finish(layerDigests: digests)
        let history = image.layerHistory
        let layers = image.layers.enumerated().map { index, layer in
            ImageInventory.Layer(index: index + 1, digest: layer.digest.description,
                                 diffID: diffIDs.indices.contains(index) ? diffIDs[index].description : nil,
                                 size: layer.size, createdBy: history[index],
                                 packageCount: assembled.perLayer[index], fromCache: results[index].1)
        }
        var inventory = ImageInventory(source: source.reference, manifestDigest: image.manifestDigest?.description,
                                       configDigest: image.configDigest?.description, platform: image.platform?.description,
                                       os: assembled.os, layers: layers, packages: assembled.packages, errors: assembled.errors)
        let incomplete = results.enumerated().compactMap { index, result in
            result.0.incomplete.map { "layer \(index + 1) (\(image.layers[index].digest)): \($0)" }
        }
        if !incomplete.isEmpty { inventory.incomplete = incomplete }
        return inventory
    }

    private func analyzeLayer(_ layer: Descriptor, diffID: String, index: Int, of image: ResolvedImage,
                              from source: any ImageSource, budget: ImageBudget) async throws -> (LayerInventory, Bool) {
        let key = LayerCache.key(diffID: diffID, analyzers: analyzers)
        if let cache, let hit = cache.load(key) {
            progress?(.layerFinished(index: index, digest: layer.digest.description, fromCache: true))
            return (hit, true)
        }
        progress?(.layerStarted(index: index, digest: layer.digest.description, size: layer.size))
        let walker = LayerWalker(label: "\(index + 1) (\(layer.digest))", diffID: diffID, analyzers: analyzers, limits: limits,
                                 budget: budget)
        do {
            try await source.readLayer(layer, of: image, into: LayerSink(walker: walker))
        } catch let bound as LayerWalker.BoundReached {
            // What was read is reported, marked incomplete; it depends on the limits, so it is
            // not cached as the layer's inventory.
            let partial = await walker.finishPartial(bound.reason)
            progress?(.layerFinished(index: index, digest: layer.digest.description, fromCache: false))
            return (partial, false)
        } catch let error as AnalysisError {
            if case .badLayer = error { throw error }
            throw AnalysisError.badLayer("\(index + 1) (\(layer.digest))", error.description)
        } catch {
            throw AnalysisError.badLayer("\(index + 1) (\(layer.digest))", "\(error)")
        }
        let inventory = try await walker.finish()
        // A cache write failure (read-only home, full disk) costs only speed next time.
        try? cache?.store(inventory, key: key)
        progress?(.layerFinished(index: index, digest: layer.digest.description, fromCache: false))
        return (inventory, false)
    }
}
