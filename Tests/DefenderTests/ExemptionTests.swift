import Defender
import DrydockTestSupport
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// Exemptions end to end: a real registry and defender, images pushed and scanned, exemptions
/// made and removed over the admin API, expiry with an injected clock.
@Suite struct ExemptionTests {
    /// An OpenVEX v0.2 document with one `not_affected` statement.
    static func vex(vulnerability: String, purl: String) -> String {
        """
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "Security Team",
         "timestamp": "2026-12-01T00:00:00Z", "version": 1,
         "statements": [{"vulnerability": {"name": "\(vulnerability)"}, "products": [{"@id": "\(purl)"}],
                         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
        """
    }

    static func states(_ view: [String: Any], _ id: String) -> [String] {
        (view["findings"] as? [[String: Any]] ?? []).filter { $0["vulnerabilityID"] as? String == id }.compactMap { $0["state"] as? String }
    }

    @Test func anExemptionShowsFindingsAsExemptedUntilItExpires() async throws {
        let dir = try TemporaryDirectory.make(prefix: "exemptions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let offset = Mutex<Double>(0)
        let clock = DefenderClock { Date().timeIntervalSince1970 + offset.withLock { $0 } }
        let server = try await ScanningRegistry.start(database: database, clock: clock)
        let image = try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")])
        try await image.push(to: server.address, "team/api", tag: "1")
        try await image.push(to: server.address, "other/app", tag: "1")
        let before = try await server.waitFor("team/api:1")
        try await server.waitFor("other/app:1")
        #expect(Self.states(before, "CVE-2014-1830") == ["open"])
        #expect(before["healthy"] as? Bool == false)

        // requests' CVE accepted for team/* for ten days.
        let expiry = Date(timeIntervalSince1970: clock.now() + 10 * 86400).formatted(.iso8601)
        let made = try await server.admin(.POST, "/admin/exemptions", json: [
            "vulnerability": "CVE-2014-1830", "repository": "team/*", "justification": "the proxy strips credentials", "expires": expiry])
        #expect(made.status == 201, "\(made.body)")
        let exemption = try #require((made.body["exemptions"] as? [[String: Any]])?.first)
        #expect(exemption["createdBy"] as? String == "admin" && exemption["active"] as? Bool == true)
        let exempted = try await server.show("team/api:1", state: "all")
        #expect(Self.states(exempted, "CVE-2014-1830") == ["exempted"])
        let finding = try #require((exempted["findings"] as? [[String: Any]])?.first { $0["vulnerabilityID"] as? String == "CVE-2014-1830" })
        #expect((finding["exemption"] as? [String: Any])?["justification"] as? String == "the proxy strips credentials")
        #expect(Self.states(try await server.show("other/app:1", state: "all"), "CVE-2014-1830") == ["open"], "another repository")
        // Exempted findings are not open ones: not in the default view, counted apart.
        #expect(!ids(try await server.show("team/api:1")).contains("CVE-2014-1830"))
        #expect(ids(try await server.show("team/api:1", state: "exempted")) == ["CVE-2014-1830"])
        let list = try await server.admin(.GET, "/admin/findings?state=exempted&repository=team/*")
        #expect(((list.body["images"] as? [[String: Any]])?.first?["total"] as? Int) == 1)

        // urllib3 up to MEDIUM everywhere: its HIGH findings stay open.
        let bySeverity = try await server.admin(.POST, "/admin/exemptions", json: [
            "package": "URLLIB3", "maxSeverity": "MEDIUM", "justification": "internal traffic only"])
        #expect(bySeverity.status == 201)
        let urllib3 = (try await server.show("other/app:1", state: "all")["findings"] as? [[String: Any]] ?? [])
            .filter { ($0["package"] as? [String: Any])?["name"] as? String == "urllib3" }
        #expect(!urllib3.isEmpty)
        for finding in urllib3 {
            let severity = finding["severity"] as? String ?? ""
            let expected = ["NONE", "LOW", "MEDIUM"].contains(severity) ? "exempted" : "open"
            #expect(finding["state"] as? String == expected, "\(finding["vulnerabilityID"] ?? "") \(severity)")
        }

        // A new image in team/* is exempted as it is scanned.
        let other = try await TestImage.python([("requests", "2.2.0")])
        try await other.push(to: server.address, "team/worker", tag: "1")
        #expect(Self.states(try await server.waitFor("team/worker:1"), "CVE-2014-1830") == ["exempted"])

        // Removing the urllib3 exemption opens its findings again; the record stays.
        let urllib3ID = try #require((bySeverity.body["exemptions"] as? [[String: Any]])?.first?["id"] as? Int)
        #expect(try await server.admin(.DELETE, "/admin/exemptions/\(urllib3ID)").status == 200)
        let reopened = (try await server.show("other/app:1", state: "all")["findings"] as? [[String: Any]] ?? [])
        #expect(reopened.allSatisfy { $0["state"] as? String == "open" })
        let history = try await server.admin(.GET, "/admin/exemptions?all=true")
        let removed = (history.body["exemptions"] as? [[String: Any]] ?? []).first { $0["id"] as? Int == urllib3ID }
        #expect(removed?["removedBy"] as? String == "admin" && removed?["active"] as? Bool == false)

        #expect(try await server.defenderStore.summaryDifferences().isEmpty, "the counts the triggers keep")

        // Eleven days on, the first exemption has expired: open again, without any sweep.
        offset.withLock { $0 = 11 * 86400 }
        #expect(Self.states(try await server.show("team/api:1", state: "all"), "CVE-2014-1830") == ["open"])
        #expect(((try await server.admin(.GET, "/admin/exemptions")).body["exemptions"] as? [Any] ?? []).isEmpty)
        await server.stop()
    }

    @Test func anOpenVEXDocumentBecomesExemptionsByPackageURL() async throws {
        let dir = try TemporaryDirectory.make(prefix: "exemptions-vex")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let image = try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")])
        try await image.push(to: server.address, "shop/web", tag: "1")
        try await server.waitFor("shop/web:1")
        let answer = try await server.admin(.POST, "/admin/exemptions/openvex?name=web.vex.json",
                                            data: Data(Self.vex(vulnerability: "CVE-2014-1830", purl: "pkg:pypi/requests@2.2.0").utf8))
        #expect(answer.status == 201, "\(answer.body)")
        let made = try #require((answer.body["exemptions"] as? [[String: Any]])?.first)
        #expect(made["source"] as? String == "openvex:web.vex.json" && made["purl"] as? String == "pkg:pypi/requests@2.2.0")
        let view = try await server.show("shop/web:1", state: "all")
        #expect(Self.states(view, "CVE-2014-1830") == ["exempted"])
        // The same CVE in another version of the package is not the product the document speaks of.
        #expect((view["findings"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "exempted" }.count == 1)
        // Garbage is refused with a reason and changes nothing.
        let bad = try await server.admin(.POST, "/admin/exemptions/openvex", data: Data("{\"statements\": 3}".utf8))
        #expect(bad.status == 400)
        #expect(((try await server.admin(.GET, "/admin/exemptions")).body["exemptions"] as? [Any])?.count == 1)
        await server.stop()
    }
}
