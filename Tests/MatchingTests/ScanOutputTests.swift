import Analysis
import DrydockTestSupport
import Foundation
import Matching
import Reports
import Testing

/// The machine-readable scan outputs: the documented JSON fields, and SARIF / CycloneDX documents
/// that the formats' own validators accept.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct ScanOutputTests {
    func render(_ format: ScanFormat) async throws -> String {
        let inventory = try await MatchingFixtures.debianMulti.value
        let report = try await MatchingFixtures.scan()
        return try format.render([(inventory, report)], database: .init(path: "fixture.sqlite", builtAt: Date(), schemaVersion: 1))
    }

    @Test func jsonCarriesTheDocumentedFields() async throws {
        let text = try await render(.json)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = try #require(top["findings"] as? [[String: Any]])
        #expect(!findings.isEmpty)
        for finding in findings {
            for key in ["vulnerabilityID", "status", "severity", "remediation", "package"] { #expect(finding[key] != nil, "\(key)") }
            let package = try #require(finding["package"] as? [String: Any])
            for key in ["name", "version", "ecosystem", "purl"] { #expect(package[key] != nil, "package.\(key)") }
            if finding["status"] as? String == "fixed" { #expect(finding["fixedVersion"] != nil) }
        }
        #expect(findings.contains { $0["severitySource"] as? String == "debian-security-tracker" })
    }

    @Test func sarifAndCycloneDXValidate() async throws {
        let dir = try TemporaryDirectory.make(prefix: "scan-docs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await render(.sarif).write(toFile: dir + "/scan.sarif", atomically: true, encoding: .utf8)
        try await render(.cyclonedx).write(toFile: dir + "/scan.cdx.json", atomically: true, encoding: .utf8)
        // sarif-pydantic's models are generated from the SARIF 2.1.0 schema and reject extra or
        // mistyped members; the cyclonedx library validates against the official 1.6 schema.
        let sarif = try await Command.run(["python3", "-c", """
            import json, sys
            from sarif_pydantic import Sarif
            log = Sarif.model_validate(json.load(open(sys.argv[1])))
            assert log.version == "2.1.0" and log.runs[0].results, "no results"
            """, dir + "/scan.sarif"])
        #expect(sarif.succeeded, "\(sarif.stderr)")
        let cyclonedx = try await Command.run(["python3", "-c", """
            import json, sys
            from cyclonedx.schema import SchemaVersion
            from cyclonedx.validation.json import JsonStrictValidator
            text = open(sys.argv[1]).read()
            error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
            assert json.loads(text)["vulnerabilities"], "no vulnerabilities"
            sys.exit(str(error) if error else 0)
            """, dir + "/scan.cdx.json"])
        #expect(cyclonedx.succeeded, "\(cyclonedx.stderr)")
    }
}
