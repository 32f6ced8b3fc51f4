import Crypto
import Foundation

/// Layer inventories on disk, keyed by the layer's diff_id and the analyzer set that produced
/// them: an image that shares layers with one analysed before costs nothing for those layers,
/// and a new analyzer version invalidates exactly what it could change.
public struct LayerCache: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$DRYDOCK_CACHE/layers`, else `$XDG_CACHE_HOME/drydock/layers`, else `~/.cache/drydock/layers`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["DRYDOCK_CACHE"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit).appendingPathComponent("layers")
        }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        return URL(fileURLWithPath: base).appendingPathComponent("drydock/layers")
    }

    static func key(diffID: String, analyzers: [any Analyzer]) -> String {
        let recipe = (["layer-format:\(LayerInventory.formatVersion)", "diff:\(diffID)"]
            + analyzers.map { "\($0.name):\($0.version)" }.sorted()).joined(separator: "\n")
        return SHA256.hash(data: Data(recipe.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A cached inventory, or nil (also for an unreadable entry, which is then overwritten).
    func load(_ key: String) -> LayerInventory? {
        let url = directory.appendingPathComponent(key + ".layer")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return LayerInventoryCodec.decode(Array(data))
    }

    /// Written to a temporary name and renamed, so a crash never leaves half an entry.
    func store(_ inventory: LayerInventory, key: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(key + ".layer")
        let temp = directory.appendingPathComponent(".\(key).\(UUID().uuidString).tmp")
        try Data(LayerInventoryCodec.encode(inventory)).write(to: temp)
        if rename(temp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            throw AnalysisError.unsupported("cannot write the layer cache in \(directory.path)")
        }
    }
}
