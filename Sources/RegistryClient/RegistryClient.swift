import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import OCI

/// RegistryClient: talks to any OCI distribution registry — Drydock itself, CNCF Distribution,
/// Docker Hub, a cloud registry. It answers auth challenges (Basic, and Bearer tokens from the
/// realm the registry names), negotiates manifest types, picks a platform from an index, streams
/// blobs in and out with digest verification, mounts across repositories, lists tags page by
/// page, and retries with backoff on 5xx and connection errors.
///
/// It is the scanner's and the importer's only way into a registry; it knows nothing of how
/// Drydock's server is built.
public final class RegistryClient: Sendable {
    public struct Options: Sendable {
        /// Plain HTTP instead of HTTPS (`--insecure`, or a loopback test registry).
        public var plainHTTP = false
        /// Accept any TLS certificate.
        public var skipTLSVerify = false
        /// Trust this PEM CA file in addition to the system roots.
        public var caFile: String?
        public var credentials: Credentials?
        public var maxAttempts = 4
        public var initialBackoff: Duration = .milliseconds(200)
        public var userAgent = "drydock"
        public var timeout: TimeAmount = .seconds(300)
        /// A challenge known before the first request (a service that knows its own registry's
        /// token endpoint): requests carry a token from the start instead of first going out
        /// anonymously, which a registry with public access disabled refuses outright.
        public var knownChallenge: AuthChallenge?
        /// Without `credentials`, look them up in docker/podman auth files (a user's CLI); off
        /// for a server acting for someone else (an import must not use the server's own logins).
        public var readsAuthFiles = true
        /// A bearer token handed over by someone else (a Harbor scan request): sent with every
        /// request, no token flow of its own.
        public var bearerToken: String?
        public init() {}
    }

    public let registry: String
    public let options: Options
    let http: HTTPClient
    let logger: Logger
    let tokens = TokenCache()
    let challenge: ChallengeMemory

    /// - Parameter registry: `host[:port]`; `docker.io` is contacted at `registry-1.docker.io`.
    public init(registry: String, options: Options = Options(), logger: Logger = Logger(label: "drydock.client")) throws {
        self.registry = registry
        var options = options
        if options.credentials == nil && options.readsAuthFiles { options.credentials = AuthFile.credentials(for: registry) }
        self.options = options
        self.logger = logger
        self.challenge = ChallengeMemory(options.knownChallenge)
        var tls = TLSConfiguration.makeClientConfiguration()
        if options.skipTLSVerify { tls.certificateVerification = .none }
        if let caFile = options.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw RegistryClientError("cannot read CA file \(caFile): \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .follow(max: 5, allowCycles: false))
        configuration.connectionPool.idleTimeout = .seconds(30)
        configuration.decompression = .disabled
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    var baseURL: String {
        let host = registry == ImageReference.dockerHub ? "registry-1.docker.io" : registry
        return (options.plainHTTP ? "http://" : "https://") + host
    }

    // MARK: Requests with auth and retries

    /// Creates a request body afresh for every attempt (a stream can be consumed only once).
    public typealias BodyFactory = @Sendable () -> HTTPClientRequest.Body

    func url(_ pathOrURL: String) -> String {
        if pathOrURL.hasPrefix("http://") || pathOrURL.hasPrefix("https://") { return pathOrURL }
        return baseURL + pathOrURL
    }

    /// Sends a request, answering one auth challenge and retrying transient failures.
    func send(_ method: HTTPMethod, _ pathOrURL: String, scope: String?, headers: [(String, String)] = [],
              body: BodyFactory? = nil, retry: Bool = true) async throws -> HTTPClientResponse {
        var attempt = 0
        var reauthenticated = false
        var backoff = options.initialBackoff
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url(pathOrURL))
            request.method = method
            request.headers.add(name: "User-Agent", value: options.userAgent)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization = try await authorization(scope: scope) {
                request.headers.add(name: "Authorization", value: authorization)
            }
            if let body { request.body = body() }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: options.timeout, logger: logger)
            } catch {
                guard retry, attempt < options.maxAttempts, !(error is CancellationError) else {
                    throw RegistryClientError("\(method) \(url(pathOrURL)) failed: \(error)")
                }
                logger.debug("retrying after connection error", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                try await Task.sleep(for: backoff)
                backoff *= 2
                continue
            }
            if response.status == .unauthorized, !reauthenticated,
               let header = response.headers.first(name: "WWW-Authenticate"), let parsed = AuthChallenge.parse(header) {
                await challenge.remember(parsed)
                reauthenticated = true
                if parsed.scheme == .bearer {
                    _ = try await fetchToken(parsed, scope: scope ?? parsed.scope)
                } else if options.credentials == nil {
                    throw try await error(from: response, method: method, url: url(pathOrURL))
                }
                continue
            }
            let status = response.status.code
            if retry, attempt < options.maxAttempts, status >= 500 || status == 429 {
                logger.debug("retrying after server error", metadata: ["status": "\(status)", "attempt": "\(attempt)"])
                try await Task.sleep(for: backoff)
                backoff *= 2
                continue
            }
            return response
        }
    }

    /// The `Authorization` header for a scope, if the registry asked for one before.
    private func authorization(scope: String?) async throws -> String? {
        if let fixed = options.bearerToken { return "Bearer " + fixed }
        guard let known = await challenge.current else {
            // Before any challenge, send Basic only if we have credentials and plain text isn't at risk.
            return nil
        }
        switch known.scheme {
        case .basic:
            return options.credentials?.basicHeader
        case .bearer:
            let key = scope ?? known.scope ?? ""
            if let token = await tokens.token(for: key) { return "Bearer " + token }
            return "Bearer " + (try await fetchToken(known, scope: key))
        }
    }

    /// The token flow of the distribution spec: GET realm?service=…&scope=… with Basic credentials
    /// when we have them (anonymous otherwise).
    private func fetchToken(_ challenge: AuthChallenge, scope: String?) async throws -> String {
        guard let realm = challenge.realm, var components = URLComponents(string: realm) else {
            throw RegistryClientError("the registry's Bearer challenge has no usable realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
        if let scope, !scope.isEmpty {
            for part in scope.split(separator: " ") { items.append(URLQueryItem(name: "scope", value: String(part))) }
        }
        components.queryItems = items.isEmpty ? nil : items
        guard let tokenURL = components.string else { throw RegistryClientError("cannot build the token URL from \(realm)") }
        var request = HTTPClientRequest(url: tokenURL)
        request.headers.add(name: "User-Agent", value: options.userAgent)
        if let credentials = options.credentials { request.headers.add(name: "Authorization", value: credentials.basicHeader) }
        let response = try await http.execute(request, timeout: .seconds(60), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            struct Envelope: Decodable {
                struct Item: Decodable { var code: String?; var message: String? }
                var errors: [Item]?
            }
            let first = (try? JSONDecoder().decode(Envelope.self, from: body))?.errors?.first
            throw RegistryClientError(status: Int(response.status.code), code: first?.code ?? "UNAUTHORIZED",
                                      "token request to \(realm) was refused: \(first?.message ?? String(buffer: body).prefix(200).description)")
        }
        struct TokenResponse: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: body),
              let token = decoded.token ?? decoded.access_token else {
            throw RegistryClientError("the token endpoint \(realm) answered without a token")
        }
        await tokens.store(token, for: scope ?? "", lifetime: TimeInterval(decoded.expires_in ?? 60))
        return token
    }

    /// Turns an error response into a `RegistryClientError` with the OCI code if present.
    func error(from response: HTTPClientResponse, method: HTTPMethod, url: String) async throws -> RegistryClientError {
        let body = (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
        struct Envelope: Decodable {
            struct Item: Decodable { var code: String?; var message: String? }
            var errors: [Item]?
        }
        let first = (try? JSONDecoder().decode(Envelope.self, from: body))?.errors?.first
        let message = first?.message ?? String(buffer: body).prefix(200).description
        return RegistryClientError(status: Int(response.status.code), code: first?.code,
                                   "\(method) \(url): \(message.isEmpty ? response.status.reasonPhrase : message)")
    }

    func expect(_ response: HTTPClientResponse, _ statuses: Set<UInt>, _ method: HTTPMethod, _ path: String) async throws {
        guard statuses.contains(response.status.code) else {
            throw try await error(from: response, method: method, url: url(path))
        }
    }

    static func pullScope(_ repository: RepositoryName) -> String { "repository:\(repository):pull" }
    static func pushScope(_ repository: RepositoryName) -> String { "repository:\(repository):pull,push" }
    static func deleteScope(_ repository: RepositoryName) -> String { "repository:\(repository):delete" }
}

/// The last challenge the registry sent, so later requests authenticate up front.
actor ChallengeMemory {
    private(set) var current: AuthChallenge?
    init(_ initial: AuthChallenge? = nil) { current = initial }
    func remember(_ challenge: AuthChallenge) { current = challenge }
}
