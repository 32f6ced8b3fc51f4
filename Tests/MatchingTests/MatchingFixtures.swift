import Analysis
import DrydockTestSupport
import Foundation
import Matching
import VulnDB

/// The shared state of the matching tests: a database built by the real importers from the
/// advisory excerpts in Fixtures/advisories, and the debian-multi test image's inventory.
enum MatchingFixtures {
    static let advisories = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/advisories")

    static let database = Task<String, any Error> {
        let dir = try TemporaryDirectory.make(prefix: "matching-db")
        let path = dir + "/vulndb.sqlite"
        _ = try await DatabaseBuilder.build(roots: [advisories], output: path)
        return path
    }

    static let debianMulti = Task<ImageInventory, any Error> {
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        guard let inventory = try await ImageAnalyzer().analyze(OCILayoutSource(reference: "oci:debian-multi", directory: layout, tag: nil)).first else {
            throw TestSupportError("no image in \(layout)")
        }
        return inventory
    }

    /// debian-multi matched against the fixture database with `filter`.
    static func scan(_ filter: ScanFilter = ScanFilter()) async throws -> ScanReport {
        let database = try await VulnDatabase.open(path: try await database.value)
        defer { Task { await database.close() } }
        return try await ScanReport.make(inventory: try await debianMulti.value, matcher: Matcher(database: database), filter: filter)
    }

    /// `dpkg --compare-versions A lt B`, from dpkg itself.
    static func dpkgLess(_ a: String, _ b: String) async throws -> Bool {
        try await Command.run(["dpkg", "--compare-versions", a, "lt", b]).succeeded
    }
}
