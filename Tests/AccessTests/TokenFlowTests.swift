import Access
import DrydockTestSupport
import Foundation
import Logging
import NIOHTTP1
import OCI
import RegistryClient
import Testing

/// The token endpoint: scopes granted as a subset, OAuth2 grants, and refusal of bad tokens.
@Suite(.serialized) struct TokenFlowTests {
    static func jwtClaims(_ header: (String, String)) throws -> [String: Any] {
        let token = header.1.replacingOccurrences(of: "Bearer ", with: "")
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        return try #require(try JSONSerialization.jsonObject(with: Data(base64Encoded: payload)!) as? [String: Any])
    }

    @Test func challengeThenTokenWithTheGrantedSubset() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let (_, password) = try await access.createToken(name: "ci", scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull])]), expiresAt: nil)

        let challenge = try await http.send(.GET, "/v2/team/app/manifests/v1")
        #expect(challenge.status == 401)
        #expect(challenge.header("WWW-Authenticate") == "Bearer realm=\"http://\(registry.address)/token\",service=\"drydock\",scope=\"repository:team/app:pull\"")

        let bearer = try await http.bearer(AccessHTTP.basic("ci", password), scopes: ["repository:team/app:pull,push"])
        let claims = try Self.jwtClaims(bearer)
        let granted = try #require((claims["access"] as? [[String: Any]])?.first)
        #expect(granted["name"] as? String == "team/app")
        #expect(granted["actions"] as? [String] == ["pull"], "push was asked for and not granted")
        #expect(claims["aud"] as? String == "drydock")
        let push = try await http.send(.POST, "/v2/team/app/blobs/uploads/", headers: [bearer])
        #expect(push.status == 403)
        #expect(push.errorCode == "DENIED")
        #expect(push.text.contains("ci"))
        await registry.stop()
    }

    @Test func oauth2PasswordAndRefreshGrants() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let (_, password) = try await access.createToken(name: "bot", scopes: ScopeMap([ScopeRule(repository: "app", actions: [.pull, .push])]), expiresAt: nil)
        func form(_ fields: [String: String]) -> [UInt8] {
            Array(fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&").utf8)
        }
        let ctype = ("Content-Type", "application/x-www-form-urlencoded")
        let first = try await http.send(.POST, "/token", headers: [ctype], body: form([
            "grant_type": "password", "username": "bot", "password": password, "service": "drydock",
            "scope": "repository:app:pull,push", "client_id": "test", "access_type": "offline"]))
        #expect(first.status == 200, "\(first.text)")
        let refresh = try #require(first.json["refresh_token"] as? String)
        let access1 = try #require(first.json["access_token"] as? String)
        #expect(try await http.send(.POST, "/v2/app/blobs/uploads/", headers: [("Authorization", "Bearer \(access1)")]).status == 202)
        // A refresh token is not an access token.
        #expect(try await http.send(.GET, "/v2/", headers: [("Authorization", "Bearer \(refresh)")]).status == 401)

        let second = try await http.send(.POST, "/token", headers: [ctype], body: form([
            "grant_type": "refresh_token", "refresh_token": refresh, "service": "drydock", "scope": "repository:app:pull"]))
        #expect(second.status == 200, "\(second.text)")
        let access2 = try #require(second.json["access_token"] as? String)
        #expect(try await http.send(.GET, "/v2/app/tags/list", headers: [("Authorization", "Bearer \(access2)")]).status == 404, "allowed; no such repository yet")

        let wrong = try await http.send(.POST, "/token", headers: [ctype], body: form(["grant_type": "password", "username": "bot", "password": "nope"]))
        #expect(wrong.status == 401)
        #expect(wrong.json["error"] as? String == "invalid_grant")
        let unsupported = try await http.send(.POST, "/token", headers: [ctype], body: form(["grant_type": "client_credentials"]))
        #expect(unsupported.status == 400)

        // Disabling the token stops its bearer tokens and its refresh token at once.
        _ = try await access.setEnabled(name: "bot", kind: .token, enabled: false)
        #expect(try await http.send(.GET, "/v2/app/tags/list", headers: [("Authorization", "Bearer \(access2)")]).status == 401)
        let third = try await http.send(.POST, "/token", headers: [ctype], body: form([
            "grant_type": "refresh_token", "refresh_token": refresh, "service": "drydock"]))
        #expect(third.status == 401)
        await registry.stop()
    }

    @Test func forgedExpiredAndWrongAudienceTokensAreRefused() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let database = registry.directory + "/metadata.sqlite"
        // Controllers on the same data directory share the signing key: only the audience or lifetime differs.
        var otherAudience = AccessController.Configuration()
        otherAudience.service = "another-registry"
        let other = try await AccessController.open(databasePath: database, adminPassword: nil, configuration: otherAudience, logger: logger)
        var shortLived = AccessController.Configuration()
        shortLived.tokenLifetime = -30
        let expiring = try await AccessController.open(databasePath: database, adminPassword: nil, configuration: shortLived, logger: logger)
        let admin = Identity(name: "admin", kind: .admin, scopes: .everything)
        let wrongAudience = try await other.issue(for: admin, scopes: ["repository:x:pull"], offline: false).token
        let expired = try await expiring.issue(for: admin, scopes: ["repository:x:pull"], offline: false).token
        await other.close()
        await expiring.close()
        // Forged: a valid token with its payload changed (admin claims on a token identity).
        let good = try await http.bearer(AccessHTTP.admin, scopes: ["repository:x:pull"]).1.replacingOccurrences(of: "Bearer ", with: "")
        let parts = good.split(separator: ".")
        let forgedPayload = Data(#"{"iss":"drydock","sub":"admin","aud":"drydock","exp":9999999999,"nbf":0,"iat":0,"jti":"x","access":[{"type":"repository","name":"x","actions":["push"]}],"use":"access","kind":"admin","trusted":true}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let forged = "\(parts[0]).\(forgedPayload).\(parts[2])"

        for (label, token, words) in [("wrong audience", wrongAudience, "audience"), ("expired", expired, "expired"), ("forged", forged, "signature")] {
            let reply = try await http.send(.GET, "/v2/", headers: [("Authorization", "Bearer \(token)")])
            #expect(reply.status == 401, "\(label)")
            #expect(reply.errorCode == "UNAUTHORIZED", "\(label)")
            #expect(reply.text.contains(words), "\(label): \(reply.text)")
        }
        for header in ["Basic", "Basic !!!notbase64", "Basic " + Data("nocolon".utf8).base64EncodedString(), "Bearer", "Bearer a.b.c",
                       "Digest username=x", "Negotiate abc", String(repeating: "A", count: 5000)] {
            let reply = try await http.send(.GET, "/v2/", headers: [("Authorization", header)])
            #expect(reply.status == 401, "\(header.prefix(30))")
            #expect(reply.errorCode == "UNAUTHORIZED", "\(header.prefix(30))")
        }
        await registry.stop()
    }

    /// RegistryClient's bearer flow against Drydock's own token endpoint.
    @Test func registryClientUsesTheTokenEndpoint() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let (manifest, _) = try await http.pushImage("team/app", tag: "v1", auth: AccessHTTP.admin)
        let (_, password) = try await access.createToken(name: "reader", scopes: ScopeMap([ScopeRule(repository: "team/app", actions: [.pull])]), expiresAt: nil)
        var options = RegistryClient.Options()
        options.plainHTTP = true
        options.credentials = Credentials(username: "reader", password: password)
        let client = try RegistryClient(registry: registry.address, options: options)
        let fetched = try await client.manifest(try RepositoryName("team/app"), reference: .tag(try Tag("v1")))
        #expect(fetched.digest == manifest)
        await client.shutdown()

        options.credentials = Credentials(username: "reader", password: "wrong")
        let wrong = try RegistryClient(registry: registry.address, options: options)
        await #expect(throws: RegistryClientError.self) {
            try await wrong.manifest(try RepositoryName("team/app"), reference: .tag(try Tag("v1")))
        }
        await wrong.shutdown()
        await registry.stop()
    }
}
