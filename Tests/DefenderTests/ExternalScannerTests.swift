import AsyncHTTPClient
@testable import Defender
import DrydockTestSupport
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import Testing

/// The defender sending images to external scanners through the Harbor scanner API: a second
/// Drydock process's adapter (real), one answering garbage and one never answering (Hummingbird
/// on loopback). The request the defender sends and the report it gets back are validated
/// against docs/scanner-adapter's schemas.
@Suite struct ExternalScannerTests {
    /// `/api/v1/scan` accepts; the report is not JSON (`garbage`) or never comes (`silent`).
    static func brokenAdapters() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        for kind in ["garbage", "silent"] {
            router.post("\(kind)/api/v1/scan") { _, _ -> Response in
                if kind == "silent" { try await Task.sleep(for: .seconds(600)) }
                return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "{\"id\": \"1\"}")))
            }
            router.get("\(kind)/api/v1/scan/:id/report") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: "<html>not a report</html>")))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var ports = stream.makeAsyncIterator()
        return (await ports.next() ?? 0, task)
    }

    /// A dashboard page as the signed-in admin (a real sign-in through the form).
    static func dashboardPage(_ server: ScanningRegistry, _ path: String) async throws -> String {
        // Redirects not followed: the session cookie comes with the sign-in's 303.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        var signIn = HTTPClientRequest(url: "http://\(server.address)/ui/login")
        signIn.method = .POST
        signIn.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        signIn.body = .bytes(ByteBuffer(string: "username=admin&password=\(TestRegistry.adminPassword)&next=/ui/"))
        let answer = try await client.execute(signIn, timeout: .seconds(30))
        let cookie = try #require(answer.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init))
        var request = HTTPClientRequest(url: "http://\(server.address)\(path)")
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await client.execute(request, timeout: .seconds(30))
        return String(decoding: Data(buffer: try await response.body.collect(upTo: 16 << 20)), as: UTF8.self)
    }

    @Test(.enabled(if: HarborScannerAPITests.validatorWorks, "python3 with jsonschema is needed"))
    func theDefenderAlsoAsksAnotherDrydockAndKeepsItsAnswerApart() async throws {
        let dir = try TemporaryDirectory.make(prefix: "external-scanners")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let adapter = try await ScanningRegistry.start(database: database)
        let server = try await ScanningRegistry.start(database: database) { $0.externalScanTimeout = 20 }
        let (brokenPort, brokenTask) = try await Self.brokenAdapters()
        defer { brokenTask.cancel() }
        let auth = "Basic " + Data("admin:\(TestRegistry.adminPassword)".utf8).base64EncodedString()
        for (name, url) in [("second", "http://\(adapter.address)/api/v1"), ("garbage", "http://127.0.0.1:\(brokenPort)/garbage/api/v1"),
                            ("silent", "http://127.0.0.1:\(brokenPort)/silent/api/v1")] {
            let added = try await server.admin(.POST, "/admin/defender/scanners", json: ["name": name, "url": url, "authorization": auth])
            #expect(added.status == 201, "\(added.body)")
        }
        #expect(try await server.admin(.POST, "/admin/defender/scanners/use", json: ["mode": "both"]).status == 200)

        try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")]).push(to: server.address, "team/api", tag: "1")
        let view = try await server.waitFor("team/api:1", timeout: 120) { view in
            (view["externalScans"] as? [[String: Any]] ?? []).count == 3
        }
        let scans = Dictionary(uniqueKeysWithValues: (view["externalScans"] as? [[String: Any]] ?? []).map { ($0["scanner"] as? String ?? "", $0) })
        // The second Drydock's answer, under its name, beside Drydock's own findings.
        let second = try #require(scans["second"])
        #expect(second["status"] as? String == "completed", "\(second)")
        let theirs = second["findings"] as? [[String: Any]] ?? []
        #expect(theirs.allSatisfy { $0["scanner"] as? String == "second" })
        #expect(theirs.contains { $0["vulnerabilityID"] as? String == "CVE-2014-1830" && $0["alsoFoundByDrydock"] as? Bool == true })
        #expect((view["findings"] as? [[String: Any]] ?? []).allSatisfy { $0["scanner"] as? String == "drydock" })
        // The broken ones: failed, each with its reason; the built-in scan is unaffected.
        #expect(scans["garbage"]?["status"] as? String == "failed")
        #expect((scans["garbage"]?["message"] as? String)?.contains("not a Harbor vulnerability report") == true, "\(scans["garbage"] ?? [:])")
        #expect(scans["silent"]?["status"] as? String == "failed")
        #expect(view["scanStatus"] as? String == "completed")

        // The dashboard's image page shows the other scanner's answer beside Drydock's.
        let page = try await Self.dashboardPage(server, "/ui/image?repository=team/api&tag=1&state=all")
        #expect(page.contains("second (external scanner)") && page.contains("CVE-2014-1830"))
        #expect(page.contains("garbage (external scanner)") && page.contains("not a Harbor vulnerability report"))

        // The adapter pulled from this registry as `defender` with the short-lived token it was given.
        let pulls = try await server.logRows(.repositoryEvents, identity: "defender", operation: "Pull")
        #expect(pulls.filter { $0.repository == "team/api" }.count >= 2, "the defender's own pull and the adapter's")

        // What went over the wire, against the schemas written from the spec.
        let accepted = try await adapter.defenderStore.adapterScans()
        #expect(accepted.count == 1)
        var lines: [String] = []
        for scan in accepted {
            lines.append(#"{"schema": "scan-request", "body": "# + String(decoding: scan.request, as: UTF8.self) + "}")
            if let report = scan.report { lines.append(#"{"schema": "vulnerability-report", "body": "# + String(decoding: report, as: UTF8.self) + "}") }
        }
        let file = dir + "/samples.jsonl"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await Command.run(["python3", TestDatabases.repositoryRoot + "/Tests/DefenderTests/Scripts/validate_scanner_api.py",
                                            TestDatabases.repositoryRoot + "/docs/scanner-adapter", file])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
        #expect(!String(decoding: accepted[0].request, as: UTF8.self).contains("Bearer"), "the token is not kept after the scan")

        // External scanners only: the image is scanned again by them alone, and their answers are
        // its findings (under the scanner's name); Drydock's own findings are resolved.
        #expect(try await server.admin(.POST, "/admin/defender/scanners/use", json: ["mode": "external"]).status == 200)
        let external = try await server.waitFor("team/api:1", timeout: 120) { view in
            let open = (view["findings"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "open" }
            return !open.isEmpty && open.allSatisfy { $0["scanner"] as? String == "second" }
        }
        let externalFindings = external["findings"] as? [[String: Any]] ?? []
        #expect(externalFindings.contains { $0["vulnerabilityID"] as? String == "CVE-2014-1830" && $0["state"] as? String == "open" })
        #expect(externalFindings.filter { $0["scanner"] as? String == "drydock" }.allSatisfy { $0["state"] as? String == "resolved" })
        #expect((external["statusMessage"] as? String ?? "").contains("some external scanners did not answer"), "\(external["statusMessage"] ?? "")")
        #expect(external["healthy"] as? Bool == false, "health follows the external findings")
        // With no scanner answering, an external-only scan fails with the reasons.
        #expect(try await server.admin(.DELETE, "/admin/defender/scanners/second").status == 200)
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: server.address, "team/other", tag: "1")
        let failed = try await server.waitFor("team/other:1", status: ["failed"], timeout: 120)
        #expect((failed["statusMessage"] as? String ?? "").contains("no external scanner answered"), "\(failed["statusMessage"] ?? "")")
        await server.stop()
        await adapter.stop()
    }
}
