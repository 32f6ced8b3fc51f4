import Analysis
import Foundation

/// The `--format` values of `drydock sbom`.
public enum SBOMFormat: String, CaseIterable, Sendable {
    case table, json, cyclonedx, spdx

    /// Renders the inventories of one reference (one per platform).
    public func render(_ inventories: [ImageInventory]) throws -> String {
        switch self {
        case .table: return InventoryTable.render(inventories)
        case .json: return try encode(InventoryDocument(images: inventories))
        case .cyclonedx: return try encode(CycloneDXDocument(inventories))
        case .spdx: return try encode(SPDXDocument(inventories))
        }
    }

    private func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// Drydock's own JSON (documented in docs/inventory-json.md): `{"images": [ImageInventory…]}`.
public struct InventoryDocument: Codable, Sendable {
    public var images: [ImageInventory]
    public init(images: [ImageInventory]) { self.images = images }
}
