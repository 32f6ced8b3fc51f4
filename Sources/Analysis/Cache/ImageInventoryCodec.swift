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
        decode(bytes, keeping: nil)
    }

    /// The inventory with only the packages `keeping` wants, decided on the OS, the package type,
    /// name and source name before the rest of the package is read (a re-match after a database
    /// update needs a few packages of each image, not all of them).
    public static func decode(_ bytes: [UInt8],
                              keeping: ((OSRelease?, PackageType, String, String?) -> Bool)?) -> ImageInventory? {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            guard var inventory = try? JSONDecoder().decode(ImageInventory.self, from: Data(bytes)) else { return nil }
            if let keeping {
                inventory.packages.removeAll { !keeping(inventory.os, $0.type, $0.name, $0.sourceName) }
            }
            return inventory
        }
        return bytes.withUnsafeBufferPointer { buffer -> ImageInventory? in
            var r = LayerInventoryCodec.Reader(buffer: buffer)
            r.offset = magic.count
            guard let json = r.string(), var inventory = try? JSONDecoder().decode(ImageInventory.self, from: Data(json.utf8)),
                  let count = r.count() else { return nil }
            if let keeping {
                let os = inventory.os
                for _ in 0..<count {
                    guard let next = r.package(if: { keeping(os, $0, $1, $2) }) else { return nil }
                    if let package = next { inventory.packages.append(package) }
                }
            } else {
                inventory.packages.reserveCapacity(count)
                for _ in 0..<count {
                    guard let package = r.package() else { return nil }
                    inventory.packages.append(package)
                }
            }
            guard r.offset == buffer.count else { return nil }
            return inventory
        }
    }
}
