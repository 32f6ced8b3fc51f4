import Foundation
import Hummingbird
import NIOCore
import OCI
import RegistryClient
import Synchronization
import Testing

/// The client's side of the token flow and its retries, against a small registry front written
/// here: Drydock's own registry has no authentication yet (that is the access issue), so this
/// server speaks the challenge protocol the way Distribution and Docker Hub do, and injects the
/// 503s a registry behind a load balancer sends.
@Suite struct AuthFlowTests {
    static let manifest = ImageManifest(
        config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest.compute(Array("c".utf8)), size: 1), layers: []
    ).canonicalJSON()

    final class Counters: Sendable {
        let tokenRequests = Mutex(0)
        let flakyRequests = Mutex(0)
        let scopes = Mutex<[String]>([])
    }

    static func startChallengeRegistry(counters: Counters, scheme: String) async throws -> (Int, Task<Void, any Error>) {
        let router = Router()
        let portBox = Mutex(0)
        router.get("/token") { request, _ -> Response in
            counters.tokenRequests.withLock { $0 += 1 }
            guard request.headers[.authorization] == "Basic " + Data("alice:pw".utf8).base64EncodedString() else {
                return Response(status: .unauthorized)
            }
            let scope = request.uri.queryParameters.getAll("scope").joined(separator: " ")
            counters.scopes.withLock { $0.append(scope) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"token":"T \#(scope)","expires_in":300}"#)))
        }
        let authorize: @Sendable (Request, String) -> Response? = { request, scope in
            let port = portBox.withLock { $0 }
            let header = request.headers[.authorization] ?? ""
            let ok = scheme == "Basic"
                ? header == "Basic " + Data("alice:pw".utf8).base64EncodedString()
                : header.hasPrefix("Bearer T ") && (scope.isEmpty || header.contains(scope))
            if ok { return nil }
            let challenge = scheme == "Basic"
                ? #"Basic realm="test""#
                : #"Bearer realm="http://127.0.0.1:\#(port)/token",service="test",scope="\#(scope)""#
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: challenge])
        }
        router.get("/v2/") { request, _ -> Response in
            authorize(request, "") ?? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.get("/v2/app/manifests/v1") { request, _ -> Response in
            if let refusal = authorize(request, "repository:app:pull") { return refusal }
            return Response(status: .ok, headers: [.contentType: MediaType.ociManifest],
                            body: .init(byteBuffer: ByteBuffer(bytes: manifest)))
        }
        router.get("/v2/flaky/manifests/v1") { request, _ -> Response in
            if let refusal = authorize(request, "repository:flaky:pull") { return refusal }
            let n = counters.flakyRequests.withLock { $0 += 1; return $0 }
            if n <= 2 { return Response(status: .serviceUnavailable) }
            return Response(status: .ok, headers: [.contentType: MediaType.ociManifest],
                            body: .init(byteBuffer: ByteBuffer(bytes: manifest)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        portBox.withLock { $0 = port }
        return (port, task)
    }

    static func client(port: Int, credentials: Credentials?) throws -> RegistryClient {
        var options = RegistryClient.Options()
        options.plainHTTP = true
        options.credentials = credentials
        options.initialBackoff = .milliseconds(10)
        return try RegistryClient(registry: "127.0.0.1:\(port)", options: options)
    }

    @Test func bearerTokenFlowWithScopesAndCaching() async throws {
        let counters = Counters()
        let (port, task) = try await Self.startChallengeRegistry(counters: counters, scheme: "Bearer")
        defer { task.cancel() }
        let client = try Self.client(port: port, credentials: Credentials(username: "alice", password: "pw"))
        defer { Task { await client.shutdown() } }
        let repo = try RepositoryName("app")
        let fetched = try await client.manifest(repo, reference: .tag(try Tag("v1")))
        #expect(fetched.bytes == Self.manifest)
        _ = try await client.manifest(repo, reference: .tag(try Tag("v1")))
        #expect(counters.tokenRequests.withLock { $0 } == 1, "the token is cached per scope")
        #expect(counters.scopes.withLock { $0 } == ["repository:app:pull"])

        // A 503 twice, then success: retried with backoff.
        _ = try await client.manifest(try RepositoryName("flaky"), reference: .tag(try Tag("v1")))
        #expect(counters.flakyRequests.withLock { $0 } == 3)
    }

    @Test func wrongCredentialsAreReportedAsUnauthorized() async throws {
        let counters = Counters()
        let (port, task) = try await Self.startChallengeRegistry(counters: counters, scheme: "Bearer")
        defer { task.cancel() }
        let client = try Self.client(port: port, credentials: Credentials(username: "alice", password: "wrong"))
        defer { Task { await client.shutdown() } }
        await #expect(throws: RegistryClientError.self) {
            try await client.manifest(try RepositoryName("app"), reference: .tag(try Tag("v1")))
        }
    }

    @Test func basicChallengeUsesCredentials() async throws {
        let counters = Counters()
        let (port, task) = try await Self.startChallengeRegistry(counters: counters, scheme: "Basic")
        defer { task.cancel() }
        let client = try Self.client(port: port, credentials: Credentials(username: "alice", password: "pw"))
        defer { Task { await client.shutdown() } }
        try await client.ping()
        #expect(try await client.manifest(try RepositoryName("app"), reference: .tag(try Tag("v1"))).bytes == Self.manifest)
        let anonymous = try Self.client(port: port, credentials: nil)
        defer { Task { await anonymous.shutdown() } }
        do {
            try await anonymous.ping()
            Issue.record("anonymous ping should be refused")
        } catch let error as RegistryClientError {
            #expect(error.status == 401)
        }
    }
}
