import Access
import AsyncHTTPClient
import DrydockTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Drydock as a Harbor scanner adapter, end to end: a second registry (a Drydock with access
/// control, standing in for Harbor's) holds the image; the scan request carries a pull-only
/// token for it, as Harbor passes a robot account; every request and answer is validated
/// against the JSON schemas in docs/scanner-adapter/, written from the spec's OpenAPI document.
@Suite struct HarborScannerAPITests {
    static let validatorWorks = (try? Command.runBlocking(["python3", "-c", "import jsonschema"], environment: [:], directory: nil))?.succeeded ?? false

    struct Answer {
        var status: UInt
        var contentType: String
        var headers: HTTPHeaders
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    }

    static func call(_ method: HTTPMethod, _ url: String, json: Any? = nil, raw: Data? = nil, accept: String? = nil,
                     credentials: String? = "admin:\(TestRegistry.adminPassword)") async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let credentials { request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString()) }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/vnd.scanner.adapter.scan.request+json; version=1.0")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let raw {
            request.body = .bytes(ByteBuffer(bytes: raw))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return Answer(status: response.status.code, contentType: response.headers.first(name: "Content-Type") ?? "",
                      headers: response.headers, body: Data(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    @Test(.enabled(if: validatorWorks, "python3 with jsonschema is needed")) func harborCanUseDrydockAsItsScanner() async throws {
        let dir = try TemporaryDirectory.make(prefix: "harbor-adapter")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let scanner = try await ScanningRegistry.start(database: database)
        // "Harbor's" registry, with a pull-only robot token for the scanned repository.
        let harbor = try await TestRegistry.start(access: true)
        let harborAccess = try #require(harbor.access)
        let digest = try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")]).push(to: harbor.address, "library/app", tag: "1.0")
        let (robot, robotPassword) = try await harborAccess.createToken(
            name: "robot-scanner", scopes: ScopeMap([ScopeRule(repository: "library/app", actions: [.pull])]), expiresAt: nil)
        let base = "http://\(scanner.address)/api/v1"
        var samples: [[String: Any]] = []
        func sample(_ schema: String, _ body: Any?) { samples.append(["schema": schema, "body": body ?? NSNull()]) }

        // Credentials are required.
        #expect(try await Self.call(.GET, base + "/metadata", credentials: nil).status == 401)
        let metadata = try await Self.call(.GET, base + "/metadata")
        #expect(metadata.status == 200 && metadata.contentType.hasPrefix("application/vnd.scanner.adapter.metadata+json"))
        sample("metadata", metadata.json)

        let request: [String: Any] = [
            "registry": ["url": "http://\(harbor.address)",
                         "authorization": "Basic " + Data("\(robot.name):\(robotPassword)".utf8).base64EncodedString()],
            "artifact": ["repository": "library/app", "digest": digest, "tag": "1.0", "mime_type": "application/vnd.oci.image.manifest.v1+json"],
        ]
        sample("scan-request", request)
        let accepted = try await Self.call(.POST, base + "/scan", json: request)
        #expect(accepted.status == 202, "\(String(decoding: accepted.body, as: UTF8.self))")
        sample("scan-response", accepted.json)
        let id = try #require((accepted.json as? [String: Any])?["id"] as? String)

        // Polled as Harbor polls: 302 with Refresh-After until the report is ready.
        var report = try await Self.call(.GET, base + "/scan/\(id)/report", accept: "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.1")
        let deadline = Date().addingTimeInterval(60)
        while report.status == 302 && Date() < deadline {
            #expect(report.headers.first(name: "Refresh-After") != nil)
            try await Task.sleep(for: .milliseconds(200))
            report = try await Self.call(.GET, base + "/scan/\(id)/report", accept: "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.1")
        }
        #expect(report.status == 200 && report.contentType.hasPrefix("application/vnd.scanner.adapter.vuln.report.harbor+json"),
                "\(String(decoding: report.body, as: UTF8.self).prefix(300))")
        sample("vulnerability-report", report.json)
        let vulnerabilities = (report.json as? [String: Any])?["vulnerabilities"] as? [[String: Any]] ?? []
        let requests = vulnerabilities.first { $0["id"] as? String == "CVE-2014-1830" }
        #expect(requests?["package"] as? String == "requests" && requests?["fix_version"] as? String == "2.3.0")
        #expect((report.json as? [String: Any])?["scanner"] as? [String: String] == ["name": "Drydock", "vendor": "Drydock", "version": (((metadata.json as? [String: Any])?["scanner"] as? [String: String])?["version"] ?? "")])
        // The same findings `findings show` would list for this image pushed to Drydock itself.
        try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")]).push(to: scanner.address, "library/app", tag: "1.0")
        let own = try await scanner.waitFor("library/app:1.0")
        #expect(Set(vulnerabilities.compactMap { $0["id"] as? String }) == ids(own))
        // The robot pulled; Drydock's own logins were not used (the robot's rows are in Harbor's log).
        await harborAccess.flushLogs()
        var query = ResourceLogQuery(table: .repositoryEvents)
        query.identity = "robot-scanner"
        #expect(!(try await harborAccess.queryLogs(query)).isEmpty, "the scan pulled as the robot")

        let raw = try await Self.call(.GET, base + "/scan/\(id)/report", accept: "application/vnd.scanner.adapter.vuln.report.raw")
        #expect(raw.status == 200 && ((raw.json as? [String: Any])?["findings"] as? [Any])?.isEmpty == false)

        // Bad input: the API's own error answers.
        let garbage = try await Self.call(.POST, base + "/scan", raw: Data("{\"registry\": 3}".utf8))
        #expect(garbage.status == 400)
        sample("error", garbage.json)
        var badDigest = request
        badDigest["artifact"] = ["repository": "library/app", "digest": "sha256:nothex!"]
        let unprocessable = try await Self.call(.POST, base + "/scan", json: badDigest)
        #expect(unprocessable.status == 422)
        sample("error", unprocessable.json)
        let unknown = try await Self.call(.GET, base + "/scan/no-such-id/report")
        #expect(unknown.status == 404)
        sample("error", unknown.json)
        // Wrong credentials for Harbor's registry: the scan fails, with Harbor's 401 in the reason.
        var wrong = request
        wrong["registry"] = ["url": "http://\(harbor.address)", "authorization": "Basic " + Data("robot-scanner:wrong".utf8).base64EncodedString()]
        let refused = try await Self.call(.POST, base + "/scan", json: wrong)
        let refusedID = try #require((refused.json as? [String: Any])?["id"] as? String)
        var failed = try await Self.call(.GET, base + "/scan/\(refusedID)/report")
        while failed.status == 302 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            failed = try await Self.call(.GET, base + "/scan/\(refusedID)/report")
        }
        #expect(failed.status == 500)
        sample("error", failed.json)

        let file = dir + "/samples.jsonl"
        try samples.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await Command.run(["python3", TestDatabases.repositoryRoot + "/Tests/DefenderTests/Scripts/validate_scanner_api.py",
                                            TestDatabases.repositoryRoot + "/docs/scanner-adapter", file])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
        await harbor.stop()
        await scanner.stop()
    }
}
