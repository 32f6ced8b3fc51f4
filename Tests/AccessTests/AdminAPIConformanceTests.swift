import DrydockTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Calls every admin endpoint (good and bad requests) and validates each answer against
/// docs/admin-api.openapi.yaml with Python's jsonschema, so the document stays true.
@Suite(.serialized) struct AdminAPIConformanceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let validatorWorks = (try? Command.runBlocking(["python3", "-c", "import jsonschema, yaml"], environment: [:], directory: nil))?.succeeded ?? false

    final class Samples: @unchecked Sendable {
        var lines: [String] = []
        func add(_ method: HTTPMethod, _ template: String, _ reply: AccessHTTP.Reply) {
            let body: Any = reply.body.isEmpty ? NSNull() : ((try? JSONSerialization.jsonObject(with: Data(reply.body))) ?? "not json")
            let object: [String: Any] = ["method": method.rawValue, "template": template, "status": reply.status, "body": body]
            lines.append(String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
    }

    @Test(.enabled(if: validatorWorks, "python3 with jsonschema and yaml is needed")) func answersMatchTheDocument() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let samples = Samples()
        func record(_ method: HTTPMethod, _ template: String, _ path: String, _ body: Any? = nil,
                    expect status: Int, headers: [(String, String)] = [AccessHTTP.admin]) async throws {
            let reply = body == nil ? try await http.send(method, path, headers: headers) : try await http.json(method, path, body!, headers: headers)
            #expect(reply.status == status, "\(method) \(path): \(reply.text)")
            samples.add(method, template, reply)
        }
        try await http.pushImage("team/app", tag: "v1", auth: AccessHTTP.admin)
        try await record(.POST, "/admin/tokens", "/admin/tokens",
                         ["name": "ci", "scopes": [["repository": "team/*", "actions": ["pull", "push"]]], "expiresInDays": 30], expect: 201)
        try await record(.POST, "/admin/tokens", "/admin/tokens",
                         ["name": "ro", "scopes": [["repository": "team/app", "actions": ["pull", "metadata/read"]]], "expiresAt": "2099-01-01T00:00:00Z"], expect: 201)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "ci", "scopes": [["repository": "x", "actions": ["pull"]]]], expect: 409)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "bad", "scopes": [["repository": "x", "actions": ["fly"]]]], expect: 400)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "bad", "scopes": [["repository": "x", "actions": ["pull"]]], "colour": 1], expect: 400)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "Bad Name", "scopes": [["repository": "x", "actions": ["pull"]]]], expect: 400)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "admin", "scopes": [["repository": "x", "actions": ["pull"]]]], expect: 409)
        try await record(.POST, "/admin/tokens", "/admin/tokens", ["name": "nos", "scopes": [] as [Any]], expect: 400)
        try await record(.GET, "/admin/tokens", "/admin/tokens", expect: 200)
        try await record(.POST, "/admin/tokens/{name}/disable", "/admin/tokens/ci/disable", expect: 200)
        try await record(.POST, "/admin/tokens/{name}/enable", "/admin/tokens/ci/enable", expect: 200)
        try await record(.POST, "/admin/tokens/{name}/disable", "/admin/tokens/nobody/disable", expect: 404)
        try await record(.DELETE, "/admin/tokens/{name}", "/admin/tokens/ro", expect: 204)
        try await record(.DELETE, "/admin/tokens/{name}", "/admin/tokens/ro", expect: 404)
        try await record(.POST, "/admin/users", "/admin/users", ["name": "alice", "password": "long enough password"], expect: 201)
        try await record(.POST, "/admin/users", "/admin/users", ["name": "bob", "password": "short"], expect: 400)
        try await record(.POST, "/admin/users", "/admin/users",
                         ["name": "carol", "password": "long enough password", "scopes": [["repository": "team/*", "actions": ["pull"]]]], expect: 201)
        try await record(.POST, "/admin/users", "/admin/users",
                         ["name": "dave", "password": "long enough password", "scopes": [["repository": "Team", "actions": ["pull"]]]], expect: 400)
        try await record(.PATCH, "/admin/users/{name}", "/admin/users/carol",
                         ["scopes": [["repository": "team/app", "actions": ["pull", "push"]]]], expect: 200)
        try await record(.PATCH, "/admin/users/{name}", "/admin/users/carol", ["colour": "red"], expect: 400)
        try await record(.PATCH, "/admin/users/{name}", "/admin/users/nobody", ["password": "long enough password"], expect: 404)
        try await record(.GET, "/admin/users", "/admin/users", expect: 200)
        try await record(.DELETE, "/admin/users/{name}", "/admin/users/alice", expect: 204)
        try await record(.GET, "/admin/network", "/admin/network", expect: 200)
        try await record(.PATCH, "/admin/network", "/admin/network", ["anonymousPull": true, "trustedServices": true], expect: 200)
        try await record(.PATCH, "/admin/network", "/admin/network", ["publicAccess": "off"], expect: 400)
        try await record(.POST, "/admin/network/rules", "/admin/network/rules", ["cidr": "2001:db8::/32"], expect: 200)
        try await record(.POST, "/admin/network/rules", "/admin/network/rules", ["cidr": "300.1.1.1/8"], expect: 400)
        try await record(.DELETE, "/admin/network/rules", "/admin/network/rules?cidr=2001:db8::/32", expect: 200)
        try await record(.DELETE, "/admin/network/rules", "/admin/network/rules?cidr=10.0.0.0/8", expect: 404)
        try await record(.GET, "/admin/logs/settings", "/admin/logs/settings", expect: 200)
        try await record(.PATCH, "/admin/logs/settings", "/admin/logs/settings", ["retentionDays": 7], expect: 200)
        try await record(.PATCH, "/admin/logs/settings", "/admin/logs/settings", ["retention": 7], expect: 400)
        _ = try await http.send(.GET, "/v2/", headers: [AccessHTTP.basic("ci", "wrong")])
        try await record(.GET, "/admin/logs", "/admin/logs?table=RegistryRepositoryEvents", expect: 200)
        try await record(.GET, "/admin/logs", "/admin/logs?table=RegistryLoginEvents&result=Failure", expect: 200)
        try await record(.GET, "/admin/logs", "/admin/logs?table=Other", expect: 400)
        try await record(.GET, "/admin/network", "/admin/network", expect: 401, headers: [])
        try await record(.GET, "/admin/network", "/admin/network", expect: 401, headers: [AccessHTTP.basic("admin", "wrong")])

        let file = registry.directory + "/samples.jsonl"
        try samples.lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let script = Self.repository.appendingPathComponent("Tests/AccessTests/Scripts/validate_openapi.py").path
        let spec = Self.repository.appendingPathComponent("docs/admin-api.openapi.yaml").path
        let result = try await Command.run(["python3", script, spec, file])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
        await registry.stop()
    }
}
