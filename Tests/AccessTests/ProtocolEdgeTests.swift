import Access
import DrydockTestSupport
import Foundation
import NIOHTTP1
import OCI
import Testing

/// Cases the public OCI conformance suites (and Distribution) exercise at the edges of the
/// protocol, encoded here because those suites cannot be built on these machines. Each runs with
/// access control off and on; with it on, the caller is a scoped token through bearer tokens
/// from the token endpoint, as `docker` and skopeo are.
@Suite struct ProtocolEdgeTests {
    /// A registry and the headers a caller that may pull and push `target` and `source` sends.
    struct Caller {
        let registry: TestRegistry
        let http: AccessHTTP
        let auth: [(String, String)]

        static func start(access: Bool) async throws -> Caller {
            let registry = try await TestRegistry.start(access: access)
            let http = AccessHTTP(registry)
            guard let controller = registry.access else { return Caller(registry: registry, http: http, auth: []) }
            let (_, password) = try await controller.createToken(
                name: "ci", scopes: ScopeMap([ScopeRule(repository: "*", actions: [.pull, .push])]), expiresAt: nil)
            let bearer = try await http.bearer(AccessHTTP.basic("ci", password),
                                               scopes: ["repository:target:pull,push", "repository:source:pull,push"])
            return Caller(registry: registry, http: http, auth: [bearer])
        }

        func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> RawHTTP.Reply {
            try await http.send(method, path, headers: auth + headers, body: body)
        }
    }

    @Test(arguments: [false, true])
    func readingAManifestByAnInvalidTagIsUnknown(access: Bool) async throws {
        let caller = try await Caller.start(access: access)
        defer { Task { await caller.registry.stop() } }
        try await caller.http.raw.pushImage("target", tag: "v1", headers: caller.auth)
        let get = try await caller.send(.GET, "/v2/target/manifests/.INVALID_MANIFEST_NAME")
        #expect(get.status == 404)
        #expect(get.errorCode == "MANIFEST_UNKNOWN")
        #expect(try await caller.send(.HEAD, "/v2/target/manifests/.INVALID_MANIFEST_NAME").status == 404)
        // Writing one is still a bad tag.
        let put = try await caller.send(.PUT, "/v2/target/manifests/.INVALID_MANIFEST_NAME",
                                        headers: [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                                        body: Array("{}".utf8))
        #expect(put.status == 400)
        #expect(put.errorCode == "TAG_INVALID")
    }

    @Test(arguments: [false, true])
    func aFinalPutOutOfOrderIs416AndTheSessionLives(access: Bool) async throws {
        let caller = try await Caller.start(access: access)
        defer { Task { await caller.registry.stop() } }
        let blob = Array("hello, chunked world".utf8)
        let digest = Digest.compute(blob)
        let location = try #require(try await caller.send(.POST, "/v2/target/blobs/uploads/").header("Location"))
        let first = try await caller.send(.PATCH, location, headers: [("Content-Range", "0-4")], body: Array(blob[0..<5]))
        #expect(first.status == 202)

        let skipped = try await caller.send(.PUT, location + "?digest=\(digest)",
                                            headers: [("Content-Range", "10-19")], body: Array(blob[10...]))
        #expect(skipped.status == 416)
        #expect(skipped.header("Range") == "0-4")
        #expect(skipped.errorCode == "BLOB_UPLOAD_INVALID")

        // Nothing was written: the right final chunk still completes the blob.
        let done = try await caller.send(.PUT, location + "?digest=\(digest)",
                                         headers: [("Content-Range", "5-19")], body: Array(blob[5...]))
        #expect(done.status == 201)
        #expect(try await caller.send(.GET, "/v2/target/blobs/\(digest)").body == blob)
    }

    @Test(arguments: [false, true])
    func cancellingAnUploadAndMountingAMissingBlob(access: Bool) async throws {
        let caller = try await Caller.start(access: access)
        defer { Task { await caller.registry.stop() } }
        let location = try #require(try await caller.send(.POST, "/v2/target/blobs/uploads/").header("Location"))
        #expect(try await caller.send(.PATCH, location, body: Array("partial".utf8)).status == 202)
        #expect(try await caller.send(.DELETE, location).status == 204)
        let gone = try await caller.send(.GET, location)
        #expect(gone.status == 404)
        #expect(gone.errorCode == "BLOB_UPLOAD_UNKNOWN")

        let missing = Digest.compute(Array("nobody pushed this".utf8))
        let mount = try await caller.send(.POST, "/v2/target/blobs/uploads/?mount=\(missing)&from=source")
        #expect(mount.status == 202)
        #expect(mount.header("Location")?.hasPrefix("/v2/target/blobs/uploads/") == true)
    }

    /// A token that may push to `target` but not pull from `source` gets an ordinary upload
    /// session instead of a mount (the spec's fallback), and can finish the push by uploading.
    @Test func mountWithoutPullOnTheSourceFallsBackToAnUpload() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let layer = Array("a layer in a private repository".utf8)
        let digest = try await http.raw.pushBlob("source", layer, headers: [AccessHTTP.admin])

        let (_, password) = try await access.createToken(
            name: "pusher", scopes: ScopeMap([ScopeRule(repository: "target", actions: [.pull, .push])]), expiresAt: nil)
        let bearer = try await http.bearer(AccessHTTP.basic("pusher", password),
                                           scopes: ["repository:target:pull,push", "repository:source:pull"])
        let mount = try await http.send(.POST, "/v2/target/blobs/uploads/?mount=\(digest)&from=source", headers: [bearer])
        #expect(mount.status == 202)
        let location = try #require(mount.header("Location"))
        #expect(location.hasPrefix("/v2/target/blobs/uploads/"))
        // Not mounted: the blob is not readable in target until the client uploads it.
        #expect(try await http.send(.HEAD, "/v2/target/blobs/\(digest)", headers: [bearer]).status == 404)
        let put = try await http.send(.PUT, location + "?digest=\(digest)", headers: [bearer], body: layer)
        #expect(put.status == 201)
        #expect(try await http.send(.GET, "/v2/target/blobs/\(digest)", headers: [bearer]).body == layer)
        // Still no way into source.
        #expect(try await http.send(.GET, "/v2/source/blobs/\(digest)", headers: [bearer]).status == 403)
    }

    /// An anonymous mount is challenged for both scopes at once, as Distribution does.
    @Test func theMountChallengeNamesTheSourceScope() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let digest = try await http.raw.pushBlob("source", Array("layer".utf8), headers: [AccessHTTP.admin])
        let reply = try await http.send(.POST, "/v2/target/blobs/uploads/?mount=\(digest)&from=source")
        #expect(reply.status == 401)
        let challenge = try #require(reply.header("WWW-Authenticate"))
        #expect(challenge.contains("scope=\"repository:target:pull,push repository:source:pull\""))
        // Without a mount, only the target.
        let plain = try await http.send(.POST, "/v2/target/blobs/uploads/")
        #expect(plain.header("WWW-Authenticate")?.contains("scope=\"repository:target:pull,push\"") == true)
    }
}
