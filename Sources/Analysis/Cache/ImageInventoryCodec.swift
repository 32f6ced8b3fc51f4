import Foundation

/// A stored image inventory (the defender keeps one per manifest digest and reads them all back
/// after a database update): the small fields as JSON, the packages in the layer cache's binary
/// form. JSONDecoder spent a fifth of a re-match building keyed containers for the packages;
/// this reads them in one pass. Stored entries are read defensively: nil on any inconsistency.
public enum ImageInventoryCodec {
    static let magic: [UInt8] = Array("DDII".utf8) + [UInt8(LayerInventory.formatVersion)]

    public static func encode(_ inventory: ImageInventory) throws -> [UInt8] {
        var header = inventory
        header.packages = []
        var w = LayerInventoryCodec.Writer()
        w.bytes.append(contentsOf: magic)
        w.string(String(decoding: try JSONEncoder().encode(header), as: UTF8.self))
        w.int(inventory.packages.count)
        for package in inventory.packages { w.package(package) }
        return w.bytes
    }

    /// Also reads the plain JSON of `ImageInventory` (what `drydock sbom --format json` writes
    /// per image), so older stored entries stay readable.
    public static func decode(_ bytes: [UInt8]) -> ImageInventory? {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            return try? JSONDecoder().decode(ImageInventory.self, from: Data(bytes))
        }
        return bytes.withUnsafeBufferPointer { buffer -> ImageInventory? in
            var r = LayerInventoryCodec.Reader(buffer: buffer)
            r.offset = magic.count
            guard let json = r.string(), var inventory = try? JSONDecoder().decode(ImageInventory.self, from: Data(json.utf8)),
                  let count = r.count() else { return nil }
            inventory.packages.reserveCapacity(count)
            for _ in 0..<count {
                guard let package = r.package() else { return nil }
                inventory.packages.append(package)
            }
            guard r.offset == buffer.count else { return nil }
            return inventory
        }
    }
}
