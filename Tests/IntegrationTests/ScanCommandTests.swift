import DrydockTestSupport
import Foundation
import Testing

/// `drydock scan` as CI pipelines run it: formats, the exit-code gate, suppressions, and one
/// readable line with a non-zero exit for bad input.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct ScanCommandTests {
    static let advisories = Fixtures.repositoryRoot + "/Tests/MatchingTests/Fixtures/advisories"

    @Test func gatesSuppressesAndExplains() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        let dir = try TemporaryDirectory.make(prefix: "cli-scan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["DRYDOCK_CACHE": dir + "/cache", "DRYDOCK_DB": dir + "/db.sqlite"]
        #expect(try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/db.sqlite"]).succeeded)

        let table = try await Command.run([binary, "scan", "oci:\(layout)"], environment: env)
        #expect(table.succeeded, "\(table.stderr)")
        #expect(table.stdout.contains("pip install 'Django>=2.2.28'"))
        #expect(table.stdout.contains("introduced by layer 1 of 5 (base image); rebuild on a newer base"))

        let gated = try await Command.run([binary, "scan", "oci:\(layout)", "--exit-code", "3", "--format", "json"], environment: env)
        #expect(gated.status == 3)
        #expect(gated.stdout.contains("\"vulnerabilityID\" : \"CVE-2018-18074\""))
        let none = try await Command.run([binary, "scan", "oci:\(layout)", "--exit-code", "3", "--severity", "CRITICAL"], environment: env)
        #expect(none.status == 0, "no CRITICAL findings in the fixture data: \(none.stdout)")

        try """
            ignore:
              - id: CVE-2018-18074
                justification: not reachable
            """.write(toFile: dir + "/ignore.yaml", atomically: true, encoding: .utf8)
        let ignored = try await Command.run([binary, "scan", "oci:\(layout)", "--ignore-file", dir + "/ignore.yaml", "--format", "json"], environment: env)
        #expect(ignored.succeeded)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(ignored.stdout.utf8)) as? [String: Any])
        let ids = (document["findings"] as? [[String: Any]] ?? []).compactMap { $0["vulnerabilityID"] as? String }
        #expect(!ids.isEmpty && !ids.contains("CVE-2018-18074"))
        #expect(ignored.stdout.contains("ignored: not reachable"))
    }

    @Test func badInputIsOneLineAndAFailure() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "alpine-like")
        let dir = try TemporaryDirectory.make(prefix: "cli-scan-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/db.sqlite"]).succeeded)
        try "ignore:\n  - id: CVE-1\n".write(toFile: dir + "/bad-ignore.yaml", atomically: true, encoding: .utf8)
        try "{}".write(toFile: dir + "/bad-vex.json", atomically: true, encoding: .utf8)
        try "not sqlite".write(toFile: dir + "/bad.sqlite", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["scan", "oci:\(layout)", "--db", dir + "/missing.sqlite"], "no vulnerability database"),
            (["scan", "oci:\(layout)", "--db", dir + "/bad.sqlite"], "cannot open"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--ignore-file", dir + "/bad-ignore.yaml"], "no justification"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--vex", dir + "/bad-vex.json"], "not an OpenVEX document"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--severity", "SEVERE"], "unknown severity"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--format", "pdf"], "unknown format"),
        ]
        for (arguments, message) in cases {
            let result = try await Command.run([binary] + arguments, environment: ["DRYDOCK_CACHE": dir + "/cache"])
            #expect(!result.succeeded, "\(arguments)")
            let lines = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
