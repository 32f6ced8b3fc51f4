import Access
import DrydockTestSupport
import Foundation
import Logging
import NIOHTTP1
import RegistryServer
import Testing

/// Network rules over real sockets: Linux routes all of 127.0.0.0/8 to lo, so a private endpoint
/// on 127.0.0.2 and a client bound to 127.0.0.3 (`curl --interface`) need no setup.
@Suite(.serialized) struct NetworkRuleTests {
    /// `curl` so the source address can be chosen; returns (status, body).
    static func curl(_ url: String, from source: String? = nil, auth: (String, String)? = nil) async throws -> (Int, String) {
        var args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "20"]
        if let source { args += ["--interface", source] }
        if let auth { args += ["-u", "\(auth.0):\(auth.1)"] }
        let result = try await Command.run(args + [url])
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    static func start() async throws -> (TestRegistry, publicURL: String, privateURL: String) {
        let registry = try await TestRegistry.start(access: true) { configuration in
            configuration.privateEndpoints = [try! RegistryServer.Listener("127.0.0.2:0")]
        }
        let privatePort = try #require(registry.listening.first { $0.host == "127.0.0.2" }?.port)
        return (registry, registry.url, "http://127.0.0.2:\(privatePort)")
    }

    static let admin = ("admin", TestRegistry.adminPassword)

    @Test func publicAccessDisabledRefusesPublicListenersOnly() async throws {
        let (registry, publicURL, privateURL) = try await Self.start()
        defer { Task { await registry.stop() } }
        #expect(try await Self.curl(publicURL + "/v2/", auth: Self.admin).0 == 200)
        // Changed through the admin API on the private endpoint, no restart.
        let http = AccessHTTP(privateURL)
        let changed = try await http.json(.PATCH, "/admin/network", ["publicAccess": "disabled"])
        #expect(changed.status == 200, "\(changed.text)")
        #expect(changed.json["publicAccess"] as? String == "disabled")

        let (status, body) = try await Self.curl(publicURL + "/v2/", auth: Self.admin)
        #expect(status == 403)
        #expect(body.contains("DENIED") && body.contains("public network access is disabled") && body.contains("127.0.0.1"), "\(body)")
        #expect(try await Self.curl(privateURL + "/v2/", auth: Self.admin).0 == 200)

        #expect(try await http.json(.PATCH, "/admin/network", ["publicAccess": "enabled"]).status == 200)
        #expect(try await Self.curl(publicURL + "/v2/", auth: Self.admin).0 == 200)
        await registry.stop()
    }

    @Test func ipRulesAdmitOnlyTheListedSource() async throws {
        let (registry, publicURL, privateURL) = try await Self.start()
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(privateURL)
        #expect(try await http.json(.POST, "/admin/network/rules", ["cidr": "127.0.0.3/32"]).status == 200)
        let denied = try await http.json(.PATCH, "/admin/network", ["defaultAction": "deny"])
        #expect(denied.json["ipRules"] as? [String] == ["127.0.0.3/32"])

        let fromOne = try await Self.curl(publicURL + "/v2/", from: "127.0.0.1", auth: Self.admin)
        #expect(fromOne.0 == 403)
        #expect(fromOne.1.contains("IP rules") && fromOne.1.contains("127.0.0.1"), "\(fromOne.1)")
        #expect(try await Self.curl(publicURL + "/v2/", from: "127.0.0.3", auth: Self.admin).0 == 200)
        // Private endpoints ignore IP rules.
        #expect(try await Self.curl(privateURL + "/v2/", from: "127.0.0.1", auth: Self.admin).0 == 200)

        let removed = try await http.send(.DELETE, "/admin/network/rules?cidr=127.0.0.3/32", headers: [AccessHTTP.admin])
        #expect(removed.status == 200)
        #expect(try await Self.curl(publicURL + "/v2/", from: "127.0.0.3", auth: Self.admin).0 == 403)
        await registry.stop()
    }

    @Test func defenderPassesOnlyWhileTrustedServicesAreAllowed() async throws {
        let (registry, publicURL, privateURL) = try await Self.start()
        defer { Task { await registry.stop() } }
        let access = try #require(registry.access)
        let http = AccessHTTP(privateURL)
        try await AccessHTTP(privateURL).pushImage("team/app", tag: "v1", auth: AccessHTTP.admin)
        #expect(try await http.json(.PATCH, "/admin/network", ["publicAccess": "disabled"]).status == 200)
        let defender = (Identity.defenderName, access.defenderPassword)
        let manifest = publicURL + "/v2/team/app/manifests/v1"
        #expect(try await Self.curl(manifest, auth: defender).0 == 200, "trusted services are on for a new registry")
        #expect(try await Self.curl(manifest, auth: Self.admin).0 == 403, "the admin is not a trusted service")
        // The defender's bearer flow works through the public listener too.
        let token = try await AccessHTTP(publicURL).bearer(AccessHTTP.basic(defender.0, defender.1), scopes: ["repository:team/app:pull"])
        #expect(try await AccessHTTP(publicURL).send(.GET, "/v2/team/app/manifests/v1", headers: [token]).status == 200)

        #expect(try await http.json(.PATCH, "/admin/network", ["trustedServices": false]).status == 200)
        let refused = try await Self.curl(manifest, auth: defender)
        #expect(refused.0 == 403)
        #expect(refused.1.contains("public network access is disabled"))
        #expect(try await AccessHTTP(publicURL).send(.GET, "/v2/team/app/manifests/v1", headers: [token]).status == 403)
        await registry.stop()
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() async throws {
        var logger = Logger(label: "t")
        logger.logLevel = .error
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let access = try #require(registry.access)
        #expect(access.callerAddress(peer: "127.0.0.1", forwardedFor: "10.9.8.7")?.description == "127.0.0.1")
        var configuration = AccessController.Configuration()
        configuration.trustedProxies = [try CIDR("127.0.0.0/8")]
        let proxied = try await AccessController.open(databasePath: registry.directory + "/metadata.sqlite", adminPassword: nil,
                                                      configuration: configuration, logger: logger)
        #expect(proxied.callerAddress(peer: "127.0.0.1", forwardedFor: "10.9.8.7, 127.0.0.1")?.description == "10.9.8.7")
        #expect(proxied.callerAddress(peer: "192.0.2.1", forwardedFor: "10.9.8.7")?.description == "192.0.2.1")
        await proxied.close()
        await registry.stop()
    }

    @Test func garbageCIDRsAndUnknownFieldsChangeNothing() async throws {
        let (registry, _, privateURL) = try await Self.start()
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(privateURL)
        let before = try await http.send(.GET, "/admin/network", headers: [AccessHTTP.admin]).text
        for cidr in ["garbage", "10.0.0.0/33", "1.2.3.4/x", "", "::/200"] {
            let reply = try await http.json(.POST, "/admin/network/rules", ["cidr": cidr])
            #expect(reply.status == 400, "\(cidr)")
            #expect(reply.errorCode == "INVALID_REQUEST")
        }
        let unknown = try await http.json(.PATCH, "/admin/network", ["publicAccess": "disabled", "publicAcess": "x"])
        #expect(unknown.status == 400)
        #expect(unknown.text.contains("publicAcess"))
        let badValue = try await http.json(.PATCH, "/admin/network", ["defaultAction": "maybe"])
        #expect(badValue.status == 400)
        let notJSON = try await http.send(.PATCH, "/admin/network", headers: [AccessHTTP.admin], body: Array("{nope".utf8))
        #expect(notJSON.status == 400)
        #expect(try await http.send(.GET, "/admin/network", headers: [AccessHTTP.admin]).text == before)
        await registry.stop()
    }
}
