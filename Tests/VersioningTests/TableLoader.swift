import Foundation
import Testing

/// One data line of a TSV table, with where it came from so failures point at the row.
struct TableRow: Sendable, CustomStringConvertible {
    let file: String
    let line: Int
    let fields: [String]
    var description: String { "\(file):\(line): \(fields.joined(separator: " | "))" }
}

/// Reads `Data/<name>` next to this source file; `#` lines and blank lines are comments.
/// Fields are not trimmed: some rows test leading and trailing blanks on purpose.
func loadTable(_ name: String, filePath: String = #filePath) throws -> [TableRow] {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Data").appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    var rows: [TableRow] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = String(raw)
        if line.isEmpty || line.hasPrefix("#") { continue }
        rows.append(TableRow(file: name, line: i + 1, fields: line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)))
    }
    return rows
}

/// Fails once per table with a readable list of the first failing rows instead of thousands of issues.
func expectNoFailures(_ failures: [String], of total: Int, table: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(total > 0, "table \(table) is empty", sourceLocation: sourceLocation)
    let shown = failures.prefix(40).joined(separator: "\n")
    #expect(failures.isEmpty, "\(failures.count) of \(total) rows of \(table) failed:\n\(shown)", sourceLocation: sourceLocation)
}
