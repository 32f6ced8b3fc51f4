import DrydockTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Calls every defender, findings, database and import endpoint (good and bad requests) and
/// validates each answer against docs/admin-api.openapi.yaml, as the access tests do for theirs.
@Suite struct DefenderAPIConformanceTests {
    static let validatorWorks = (try? Command.runBlocking(["python3", "-c", "import jsonschema, yaml"], environment: [:], directory: nil))?.succeeded ?? false

    @Test(.enabled(if: validatorWorks, "python3 with jsonschema and yaml is needed")) func answersMatchTheDocument() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-api")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let digest = try await TestImage.python([("requests", "2.2.0")]).push(to: server.address, "team/app", tag: "v1")
        try await server.waitFor("team/app:v1")
        _ = try await TestImage.python([("requests", "99.0.0")]).push(to: server.address, "team/app", tag: "v1")
        try await server.waitFor("team/app:v1") { $0["digest"] as? String != digest }

        var lines: [String] = []
        func record(_ method: HTTPMethod, _ template: String, _ path: String, json: [String: Any]? = nil, data: Data? = nil,
                    expect status: UInt) async throws {
            let reply = try await server.admin(method, path, json: json, data: data)
            #expect(reply.status == status, "\(method) \(path): \(reply.body)")
            let object: [String: Any] = ["method": method.rawValue, "template": template, "status": reply.status,
                                         "body": reply.body.isEmpty ? NSNull() : reply.body]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        try await record(.GET, "/admin/defender", "/admin/defender", expect: 200)
        try await record(.POST, "/admin/defender/disable", "/admin/defender/disable", json: [:], expect: 200)
        try await record(.POST, "/admin/defender/enable", "/admin/defender/enable", json: ["subscription": "default"], expect: 200)
        try await record(.POST, "/admin/defender/enable", "/admin/defender/enable", json: ["subscription": "nope"], expect: 404)
        try await record(.POST, "/admin/defender/enable", "/admin/defender/enable", json: ["plan": "on"], expect: 400)
        try await record(.GET, "/admin/defender/jobs", "/admin/defender/jobs", expect: 200)
        try await record(.GET, "/admin/defender/registries", "/admin/defender/registries", expect: 200)
        try await record(.PATCH, "/admin/defender/registries/{name}", "/admin/defender/registries/local", json: ["exclude": ["tmp/**"]], expect: 200)
        try await record(.PATCH, "/admin/defender/registries/{name}", "/admin/defender/registries/local", json: ["exclude": "tmp"], expect: 400)
        try await record(.PATCH, "/admin/defender/registries/{name}", "/admin/defender/registries/other", json: ["include": ["a"]], expect: 404)
        try await record(.POST, "/admin/defender/registries", "/admin/defender/registries",
                         json: ["name": "elsewhere", "url": "http://127.0.0.1:9", "kind": "oci", "username": "u", "password": "p",
                                "events": "notifications", "pollIntervalSeconds": 3600], expect: 201)
        try await record(.POST, "/admin/defender/registries", "/admin/defender/registries", json: ["name": "elsewhere", "url": "http://127.0.0.1:9"],
                         expect: 409)
        try await record(.POST, "/admin/defender/registries", "/admin/defender/registries", json: ["name": "x", "url": "ftp://a"], expect: 400)
        try await record(.PATCH, "/admin/defender/registries/{name}", "/admin/defender/registries/elsewhere", json: ["events": "none"], expect: 200)
        try await record(.PATCH, "/admin/defender/registries/{name}", "/admin/defender/registries/local", json: ["url": "http://a"], expect: 400)
        try await record(.POST, "/admin/defender/registries/{name}/poll", "/admin/defender/registries/elsewhere/poll", expect: 502)
        try await record(.POST, "/admin/defender/registries/{name}/poll", "/admin/defender/registries/local/poll", expect: 404)
        try await record(.POST, "/admin/defender/registries/{name}/events", "/admin/defender/registries/elsewhere/events",
                         json: ["events": [["action": "push", "target": ["repository": "a/b", "digest": "sha256:" + String(repeating: "0", count: 64),
                                                                        "mediaType": "application/octet-stream"]]]], expect: 200)
        try await record(.POST, "/admin/defender/registries/{name}/events", "/admin/defender/registries/elsewhere/events",
                         json: ["events": "no"], expect: 400)
        try await record(.GET, "/admin/defender/registries", "/admin/defender/registries", expect: 200)
        try await record(.GET, "/admin/defender", "/admin/defender", expect: 200)
        try await record(.DELETE, "/admin/defender/registries/{name}", "/admin/defender/registries/elsewhere", expect: 200)
        try await record(.DELETE, "/admin/defender/registries/{name}", "/admin/defender/registries/elsewhere", expect: 404)
        try await record(.POST, "/admin/defender/pass", "/admin/defender/pass", expect: 200)
        try await record(.GET, "/admin/findings", "/admin/findings", expect: 200)
        try await record(.GET, "/admin/findings", "/admin/findings?state=all&severity=HIGH,CRITICAL&repository=team/*", expect: 200)
        try await record(.GET, "/admin/findings", "/admin/findings?state=gone", expect: 400)
        try await record(.GET, "/admin/findings", "/admin/findings?severity=SEVERE", expect: 400)
        try await record(.GET, "/admin/findings/image", "/admin/findings/image?reference=team/app:v1&state=all", expect: 200)
        try await record(.GET, "/admin/findings/image", "/admin/findings/image?reference=team/app@\(digest)", expect: 200)
        try await record(.GET, "/admin/findings/image", "/admin/findings/image?reference=team/none:v1", expect: 404)
        try await record(.GET, "/admin/findings/image", "/admin/findings/image", expect: 400)
        try await record(.GET, "/admin/findings/affected/{id}", "/admin/findings/affected/CVE-2014-1830", expect: 200)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions",
                         json: ["vulnerability": "CVE-2014-1830", "repository": "team/*", "justification": "not reachable", "expires": "2099-01-01"],
                         expect: 201)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions", json: ["package": "requests", "maxSeverity": "LOW",
                                                                                 "justification": "dev only"], expect: 201)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions", json: ["justification": "everything"], expect: 400)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions", json: ["package": "requests"], expect: 400)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions", json: ["package": "requests", "justification": "x", "expires": "2001-01-01"],
                         expect: 400)
        try await record(.POST, "/admin/exemptions", "/admin/exemptions", json: ["package": "requests", "justification": "x", "until": "2099-01-01"],
                         expect: 400)
        try await record(.POST, "/admin/exemptions/openvex", "/admin/exemptions/openvex?name=app.vex.json",
                         data: Data(ExemptionTests.vex(vulnerability: "CVE-2018-18074", purl: "pkg:pypi/requests@2.2.0").utf8), expect: 201)
        try await record(.POST, "/admin/exemptions/openvex", "/admin/exemptions/openvex", data: Data("{}".utf8), expect: 400)
        try await record(.GET, "/admin/findings/image", "/admin/findings/image?reference=team/app@\(digest)&state=exempted", expect: 200)
        try await record(.GET, "/admin/exemptions", "/admin/exemptions", expect: 200)
        try await record(.DELETE, "/admin/exemptions/{id}", "/admin/exemptions/2", expect: 200)
        try await record(.DELETE, "/admin/exemptions/{id}", "/admin/exemptions/2", expect: 404)
        try await record(.DELETE, "/admin/exemptions/{id}", "/admin/exemptions/x", expect: 400)
        try await record(.GET, "/admin/exemptions", "/admin/exemptions?all=true", expect: 200)
        try await record(.GET, "/admin/findings/trend", "/admin/findings/trend?days=7", expect: 200)
        try await record(.GET, "/admin/findings/trend", "/admin/findings/trend?days=0", expect: 400)
        try await record(.POST, "/admin/webhooks", "/admin/webhooks",
                         json: ["url": "http://127.0.0.1:9/hook", "events": ["scan.completed", "finding.new"], "secret": "sixteen-characters!"], expect: 201)
        try await record(.POST, "/admin/webhooks", "/admin/webhooks", json: ["url": "http://127.0.0.1:9/hook", "events": ["nope"], "secret": "sixteen-characters!"],
                         expect: 400)
        try await record(.GET, "/admin/webhooks", "/admin/webhooks", expect: 200)
        try await record(.GET, "/admin/webhooks/deliveries", "/admin/webhooks/deliveries", expect: 200)
        try await record(.GET, "/admin/webhooks/{id}/deliveries", "/admin/webhooks/1/deliveries", expect: 200)
        try await record(.DELETE, "/admin/webhooks/{id}", "/admin/webhooks/1", expect: 200)
        try await record(.DELETE, "/admin/webhooks/{id}", "/admin/webhooks/1", expect: 404)
        try await record(.POST, "/admin/defender/scanners", "/admin/defender/scanners",
                         json: ["name": "second", "url": "http://127.0.0.1:9/api/v1", "authorization": "Basic eDp5"], expect: 201)
        try await record(.POST, "/admin/defender/scanners", "/admin/defender/scanners", json: ["name": "second", "url": "http://127.0.0.1:9/api/v1"],
                         expect: 409)
        try await record(.POST, "/admin/defender/scanners", "/admin/defender/scanners", json: ["name": "Bad Name", "url": "x"], expect: 400)
        try await record(.POST, "/admin/defender/scanners/use", "/admin/defender/scanners/use", json: ["mode": "builtin"], expect: 200)
        try await record(.POST, "/admin/defender/scanners/use", "/admin/defender/scanners/use", json: ["mode": "external-only"], expect: 400)
        try await record(.GET, "/admin/defender/scanners", "/admin/defender/scanners", expect: 200)
        try await record(.DELETE, "/admin/defender/scanners/{name}", "/admin/defender/scanners/second", expect: 200)
        try await record(.DELETE, "/admin/defender/scanners/{name}", "/admin/defender/scanners/second", expect: 404)
        try await record(.GET, "/admin/usage", "/admin/usage", expect: 200)
        try await record(.GET, "/admin/usage", "/admin/usage?period=2020-01&subscription=default", expect: 200)
        try await record(.GET, "/admin/usage", "/admin/usage?period=January", expect: 400)
        try await record(.GET, "/admin/vulndb", "/admin/vulndb", expect: 200)
        try await record(.PUT, "/admin/vulndb", "/admin/vulndb", data: Data("not a database".utf8), expect: 400)
        try await record(.PUT, "/admin/vulndb", "/admin/vulndb", data: try Data(contentsOf: URL(fileURLWithPath: database)), expect: 200)
        try await record(.POST, "/admin/import", "/admin/import", json: ["source": "\(server.address)/team/app:v1", "target": "copy/app", "insecure": true,
                                                                                   "username": "admin", "password": TestRegistry.adminPassword], expect: 201)
        try await record(.POST, "/admin/import", "/admin/import", json: ["source": "\(server.address)/team/none:v1", "target": "copy/none", "insecure": true], expect: 502)
        try await record(.POST, "/admin/import", "/admin/import", json: ["source": "x", "target": "Bad Name"], expect: 400)
        try await record(.POST, "/admin/import", "/admin/import", json: ["source": "\(server.address)/team/app:v1"], expect: 400)

        let file = dir + "/samples.jsonl"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let script = TestDatabases.repositoryRoot + "/Tests/AccessTests/Scripts/validate_openapi.py"
        let result = try await Command.run(["python3", script, TestDatabases.repositoryRoot + "/docs/admin-api.openapi.yaml", file])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
        await server.stop()
    }
}
