import Testing
import Versioning

/// Every comparison table, each row `a<TAB>b<TAB>expected` with expected in -1/0/1.
/// dpkg, rpm and pep440 come from the ecosystems' own tools (see Data/generate.sh);
/// so are rubygems, npm, composer, maven, go and cargo; apk, nuget, semver and the *_hand tables
/// are hand-checked against the ecosystems' test suites and documentation.
@Suite struct ComparisonTableTests {
    static let tables: [(String, Ecosystem)] = [
        ("dpkg.tsv", .dpkg), ("rpm.tsv", .rpm), ("pep440.tsv", .pep440),
        ("apk.tsv", .apk), ("maven.tsv", .maven), ("go.tsv", .go), ("go_hand.tsv", .go), ("rubygems.tsv", .rubygems),
        ("nuget.tsv", .nuget), ("composer.tsv", .composer), ("semver.tsv", .semver), ("npm.tsv", .npm), ("cargo.tsv", .cargo), ("cargo_hand.tsv", .cargo),
    ]

    @Test("ordering matches the ecosystem's table", arguments: tables)
    func table(_ name: String, _ ecosystem: Ecosystem) throws {
        let rows = try loadTable(name)
        var failures: [String] = []
        for row in rows {
            guard row.fields.count == 3, let expected = Int(row.fields[2]) else {
                failures.append("\(row) (malformed row)")
                continue
            }
            let a = row.fields[0], b = row.fields[1]
            do {
                let forward = try compare(a, b, in: ecosystem)
                let backward = try compare(b, a, in: ecosystem)
                if forward.rawValue != expected || backward.rawValue != -expected {
                    failures.append("\(row): got \(forward.rawValue) (reverse \(backward.rawValue))")
                }
            } catch {
                failures.append("\(row): threw \(error)")
            }
        }
        expectNoFailures(failures, of: rows.count, table: name)
    }
}
