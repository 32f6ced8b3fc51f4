import Testing
import Versioning

/// Range tables, each row `range<TAB>version<TAB>expected` with expected 1 (inside) or 0.
@Suite struct RangeTableTests {
    static let tables: [(String, Ecosystem)] = [
        ("npm_ranges.tsv", .npm), ("rubygems_ranges.tsv", .rubygems), ("composer_ranges.tsv", .composer),
        ("cargo_ranges.tsv", .cargo), ("cargo_ranges_hand.tsv", .cargo), ("maven_ranges.tsv", .maven), ("nuget_ranges.tsv", .nuget),
        ("operator_ranges.tsv", .dpkg),
    ]

    @Test("membership matches the ecosystem's table", arguments: tables)
    func table(_ name: String, _ defaultEcosystem: Ecosystem) throws {
        let rows = try loadTable(name)
        var failures: [String] = []
        for row in rows {
            // An optional fourth column names the ecosystem (used by the operator-list table).
            guard row.fields.count >= 3 else { failures.append("\(row) (malformed row)"); continue }
            let ecosystem = row.fields.count > 3 ? Ecosystem(rawValue: row.fields[3]) ?? defaultEcosystem : defaultEcosystem
            do {
                let range = try VersionRange.parse(row.fields[0], ecosystem: ecosystem)
                let got = try range.contains(row.fields[1], ecosystem: ecosystem)
                if got != (row.fields[2] == "1") { failures.append("\(row): got \(got ? 1 : 0) from \(range)") }
            } catch {
                failures.append("\(row): threw \(error)")
            }
        }
        expectNoFailures(failures, of: rows.count, table: name)
    }
}
