import Testing
import Versioning

@Suite struct PEP440ParseTests {
    /// Validity and normal form of each input exactly as `packaging.version.Version` reports them.
    @Test func validityAndNormalisationMatchPackaging() throws {
        let rows = try loadTable("pep440_parse.tsv")
        var failures: [String] = []
        for row in rows {
            guard row.fields.count == 3 else { failures.append("\(row) (malformed row)"); continue }
            let input = row.fields[0], valid = row.fields[1] == "1", normal = row.fields[2]
            let parsed = try? PEP440Version(input)
            if valid {
                if let parsed {
                    if parsed.description != normal { failures.append("\(row): normalised to \(parsed.description)") }
                } else {
                    failures.append("\(row): rejected")
                }
            } else if let parsed {
                failures.append("\(row): accepted as \(parsed.description)")
            }
        }
        expectNoFailures(failures, of: rows.count, table: "pep440_parse.tsv")
    }
}
