import Access
import DrydockTestSupport
import Foundation
import NIOHTTP1
import OCI
import Testing

/// Every endpoint × every kind of caller → the status a client must see. Deletes target unknown
/// digests (404 when allowed) so the table can run in any order without changing the content.
@Suite(.serialized) struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable {
        case anonymous, pullToken, pushToken, deleteToken, otherRepoToken, disabledToken, expiredToken, admin, defender
        /// A user without scopes (everything) and one limited to pull and delete on team/*.
        case user, scopedUser
    }

    enum Endpoint: String, CaseIterable {
        case base, catalog, tags, getManifest, headManifest, getBlob, referrers, startUpload, putManifest, deleteManifest,
             deleteBlob, adminNetwork
    }

    static let unknown = "sha256:" + String(repeating: "0", count: 64)

    /// The expected status for each endpoint, by caller (order of `Caller.allCases`).
    static let expected: [Endpoint: [Int]] = [
        //               anon pull push del  other dis  exp  admin defender user scoped
        .base:           [401, 200, 200, 200, 200, 401, 401, 200, 200,     200, 200],
        .catalog:        [401, 200, 200, 200, 200, 401, 401, 200, 200,     200, 200],
        .tags:           [401, 200, 200, 403, 403, 401, 401, 200, 200,     200, 200],
        .getManifest:    [401, 200, 200, 403, 403, 401, 401, 200, 200,     200, 200],
        .headManifest:   [401, 200, 200, 403, 403, 401, 401, 200, 200,     200, 200],
        .getBlob:        [401, 200, 200, 403, 403, 401, 401, 200, 200,     200, 200],
        .referrers:      [401, 200, 200, 403, 403, 401, 401, 200, 200,     200, 200],
        .startUpload:    [401, 403, 202, 403, 403, 401, 401, 202, 403,     202, 403],
        .putManifest:    [401, 403, 201, 403, 403, 401, 401, 201, 403,     201, 403],
        .deleteManifest: [401, 403, 403, 404, 403, 401, 401, 404, 403,     404, 404],
        .deleteBlob:     [401, 403, 403, 404, 403, 401, 401, 404, 403,     404, 404],
        .adminNetwork:   [401, 403, 403, 403, 403, 401, 401, 200, 403,     403, 403],
    ]

    struct Setup {
        var registry: TestRegistry
        var http: AccessHTTP
        var credentials: [Caller: (String, String)]
        var manifest: Digest
        var blob: Digest
        var manifestBytes: [UInt8]
    }

    static func setUp() async throws -> Setup {
        let registry = try await TestRegistry.start(access: true)
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let (manifest, blob) = try await http.pushImage("team/app", tag: "v1", auth: AccessHTTP.admin)
        try await http.pushImage("other/app", tag: "v1", auth: AccessHTTP.admin, layer: "other")
        let manifestBytes = try await http.send(.GET, "/v2/team/app/manifests/v1", headers: [AccessHTTP.admin]).body
        func token(_ name: String, _ actions: Set<RepositoryAction>, repo: String = "team/*", expires: Double? = nil) async throws -> (String, String) {
            let (_, password) = try await access.createToken(name: name, scopes: ScopeMap([ScopeRule(repository: repo, actions: actions)]), expiresAt: expires)
            return AccessHTTP.basic(name, password)
        }
        var credentials: [Caller: (String, String)] = [:]
        credentials[.pullToken] = try await token("puller", [.pull])
        credentials[.pushToken] = try await token("pusher", [.pull, .push])
        credentials[.deleteToken] = try await token("deleter", [.delete])
        credentials[.otherRepoToken] = try await token("elsewhere", [.pull, .push, .delete], repo: "other/*")
        credentials[.disabledToken] = try await token("off", [.pull, .push, .delete])
        _ = try await access.setEnabled(name: "off", kind: .token, enabled: false)
        credentials[.expiredToken] = try await token("old", [.pull, .push, .delete], expires: Date().timeIntervalSince1970 + 1)
        credentials[.admin] = AccessHTTP.admin
        credentials[.defender] = AccessHTTP.basic("defender", access.defenderPassword)
        _ = try await access.createUser(name: "member", password: "member password")
        credentials[.user] = AccessHTTP.basic("member", "member password")
        _ = try await access.createUser(name: "janitor", password: "janitor password",
                                        scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull, .delete])]))
        credentials[.scopedUser] = AccessHTTP.basic("janitor", "janitor password")
        try await Task.sleep(for: .milliseconds(1100))
        return Setup(registry: registry, http: http, credentials: credentials, manifest: manifest, blob: blob, manifestBytes: manifestBytes)
    }

    static func call(_ endpoint: Endpoint, _ s: Setup, _ auth: [(String, String)]) async throws -> AccessHTTP.Reply {
        switch endpoint {
        case .base: return try await s.http.send(.GET, "/v2/", headers: auth)
        case .catalog: return try await s.http.send(.GET, "/v2/_catalog", headers: auth)
        case .tags: return try await s.http.send(.GET, "/v2/team/app/tags/list", headers: auth)
        case .getManifest: return try await s.http.send(.GET, "/v2/team/app/manifests/v1", headers: auth)
        case .headManifest: return try await s.http.send(.HEAD, "/v2/team/app/manifests/v1", headers: auth)
        case .getBlob: return try await s.http.send(.GET, "/v2/team/app/blobs/\(s.blob)", headers: auth)
        case .referrers: return try await s.http.send(.GET, "/v2/team/app/referrers/\(s.manifest)", headers: auth)
        case .startUpload: return try await s.http.send(.POST, "/v2/team/app/blobs/uploads/", headers: auth)
        case .putManifest:
            return try await s.http.send(.PUT, "/v2/team/app/manifests/v1", headers: auth + [("Content-Type", MediaType.ociManifest)],
                                         body: s.manifestBytes)
        case .deleteManifest: return try await s.http.send(.DELETE, "/v2/team/app/manifests/\(unknown)", headers: auth)
        case .deleteBlob: return try await s.http.send(.DELETE, "/v2/team/app/blobs/\(unknown)", headers: auth)
        case .adminNetwork: return try await s.http.send(.GET, "/admin/network", headers: auth)
        }
    }

    @Test func basicCredentialsOnEveryEndpoint() async throws {
        let s = try await Self.setUp()
        defer { Task { await s.registry.stop() } }
        for endpoint in Endpoint.allCases {
            for (i, caller) in Caller.allCases.enumerated() {
                let auth = s.credentials[caller].map { [$0] } ?? []
                let reply = try await Self.call(endpoint, s, auth)
                let want = Self.expected[endpoint]![i]
                #expect(reply.status == want, "\(endpoint) as \(caller): \(reply.status) \(reply.text)")
                // HEAD answers carry no body, so no error code to check.
                if reply.status == 401 && endpoint != .headManifest {
                    #expect(reply.header("WWW-Authenticate") != nil, "\(endpoint) as \(caller): a 401 carries a challenge")
                    if endpoint != .adminNetwork { #expect(reply.errorCode == "UNAUTHORIZED") }
                }
                if reply.status == 403 && endpoint != .headManifest { #expect(reply.errorCode == "DENIED", "\(endpoint) as \(caller)") }
            }
        }
        await s.registry.stop()
    }

    /// The same table through bearer tokens from the token endpoint (callers that can get one).
    @Test func bearerTokensOnEveryEndpoint() async throws {
        let s = try await Self.setUp()
        defer { Task { await s.registry.stop() } }
        let scopes = ["repository:team/app:pull,push,delete,metadata/read", "registry:catalog:*"]
        for (i, caller) in Caller.allCases.enumerated() where caller != .anonymous {
            let basic = try #require(s.credentials[caller])
            if caller == .disabledToken || caller == .expiredToken {
                let refused = try await s.http.send(.GET, "/token?service=drydock&scope=repository:team/app:pull", headers: [basic])
                #expect(refused.status == 401, "\(caller) gets no token")
                continue
            }
            let bearer = try await s.http.bearer(basic, scopes: scopes)
            for endpoint in Endpoint.allCases where endpoint != .adminNetwork {
                let reply = try await Self.call(endpoint, s, [bearer])
                #expect(reply.status == Self.expected[endpoint]![i], "\(endpoint) as \(caller) (bearer): \(reply.status) \(reply.text)")
            }
        }
        await s.registry.stop()
    }

    @Test func catalogListsOnlyVisibleRepositories() async throws {
        let s = try await Self.setUp()
        defer { Task { await s.registry.stop() } }
        let all = try await s.http.send(.GET, "/v2/_catalog", headers: [AccessHTTP.admin]).json["repositories"] as? [String]
        #expect(all == ["other/app", "team/app"])
        let pull = try await s.http.send(.GET, "/v2/_catalog", headers: [s.credentials[.pullToken]!]).json["repositories"] as? [String]
        #expect(pull == ["team/app"])
        let other = try await s.http.send(.GET, "/v2/_catalog", headers: [s.credentials[.otherRepoToken]!]).json["repositories"] as? [String]
        #expect(other == ["other/app"])
        // Through a bearer token the catalog still uses the token's grants.
        let bearer = try await s.http.bearer(s.credentials[.pullToken]!, scopes: ["registry:catalog:*"])
        let viaBearer = try await s.http.send(.GET, "/v2/_catalog", headers: [bearer]).json["repositories"] as? [String]
        #expect(viaBearer == ["team/app"])
        await s.registry.stop()
    }

    /// Changing a user's scopes applies to the next request (Basic) and to the catalog.
    @Test func userScopesChangeAtOnce() async throws {
        let s = try await Self.setUp()
        defer { Task { await s.registry.stop() } }
        let access = try #require(s.registry.access)
        let janitor = s.credentials[.scopedUser]!
        #expect(try await s.http.send(.GET, "/v2/_catalog", headers: [janitor]).json["repositories"] as? [String] == ["team/app"])
        _ = try await access.updateUser(name: "janitor", password: nil,
                                        scopes: ScopeMap([ScopeRule(repository: "other/app", actions: [.pull])]))
        #expect(try await s.http.send(.GET, "/v2/_catalog", headers: [janitor]).json["repositories"] as? [String] == ["other/app"])
        #expect(try await s.http.send(.GET, "/v2/team/app/manifests/v1", headers: [janitor]).status == 403)
        #expect(try await s.http.send(.GET, "/v2/other/app/manifests/v1", headers: [janitor]).status == 200)
        // A token from the token endpoint carries only what the user holds now.
        let bearer = try await s.http.bearer(janitor, scopes: ["repository:team/app:pull", "repository:other/app:pull,push"])
        #expect(try await s.http.send(.GET, "/v2/team/app/manifests/v1", headers: [bearer]).status == 403)
        #expect(try await s.http.send(.GET, "/v2/other/app/manifests/v1", headers: [bearer]).status == 200)
        #expect(try await s.http.send(.POST, "/v2/other/app/blobs/uploads/", headers: [bearer]).status == 403)
        // A new password replaces the old one at once.
        _ = try await access.updateUser(name: "janitor", password: "a new janitor password", scopes: nil)
        #expect(try await s.http.send(.GET, "/v2/other/app/manifests/v1", headers: [janitor]).status == 401)
        await s.registry.stop()
    }

    @Test func anonymousPullIsAPerRegistrySetting() async throws {
        let s = try await Self.setUp()
        defer { Task { await s.registry.stop() } }
        let access = try #require(s.registry.access)
        #expect(try await s.http.send(.GET, "/v2/team/app/manifests/v1").status == 401)
        var rules = access.networkRules
        rules.anonymousPull = true
        try await access.setNetworkRules(rules)
        #expect(try await s.http.send(.GET, "/v2/team/app/manifests/v1").status == 200)
        #expect(try await s.http.send(.POST, "/v2/team/app/blobs/uploads/").status == 401, "anonymous push stays refused")
        await s.registry.stop()
    }
}
