import Analysis

/// The human table of `drydock sbom`: one row per package, grouped by image.
enum InventoryTable {
    static func render(_ inventories: [ImageInventory]) -> String {
        var out = ""
        for inventory in inventories {
            let os = inventory.os.map { "\($0.family) \($0.version)" } ?? "unknown OS"
            out += "\(inventory.source)\(inventory.platform.map { " (\($0))" } ?? "") — \(os), "
            out += "\(inventory.layers.count) layers, \(inventory.packages.count) packages\n\n"
            let layerIndex = Dictionary(inventory.layers.map { ($0.digest, $0.index) }, uniquingKeysWith: { a, _ in a })
            var rows = [["TYPE", "NAME", "VERSION", "SOURCE", "LAYER", "LOCATION"]]
            for package in inventory.packages {
                var source = package.sourceName.map { $0 == package.name ? "" : $0 } ?? ""
                if let version = package.sourceVersion, version != package.version { source += source.isEmpty ? version : " \(version)" }
                var location = package.location
                if let nested = package.properties["nestedPath"] { location += "!" + nested }
                rows.append([package.type.rawValue, package.name, package.version, source,
                             package.layerDigest.flatMap { layerIndex[$0] }.map(String.init) ?? "", location])
            }
            out += TextTable.format(rows)
            if let incomplete = inventory.incomplete {
                out += "\nINCOMPLETE: reading stopped at a bound; the packages above are those found before it:\n"
                out += incomplete.map { "  \($0)\n" }.joined()
            }
            if !inventory.errors.isEmpty {
                out += "\n\(inventory.errors.count) file(s) could not be analysed:\n"
                out += inventory.errors.prefix(20).map { "  \($0)\n" }.joined()
            }
            out += "\n"
        }
        return out
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func format(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
