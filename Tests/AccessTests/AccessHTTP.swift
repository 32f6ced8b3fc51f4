import Access
import AsyncHTTPClient
import DrydockTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// Raw HTTP against a registry with access control: `RawHTTP` plus credentials, admin JSON and
/// the token endpoint.
struct AccessHTTP {
    typealias Reply = RawHTTP.Reply

    let raw: RawHTTP
    var base: String { raw.base }

    init(_ base: String) { raw = RawHTTP(base) }
    init(_ registry: TestRegistry) { raw = RawHTTP(registry) }

    static func basic(_ name: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(name):\(password)".utf8).base64EncodedString())
    }

    static var admin: (String, String) { basic("admin", TestRegistry.adminPassword) }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        try await raw.send(method, path, headers: headers, body: body)
    }

    func json(_ method: HTTPMethod, _ path: String, _ object: Any, headers: [(String, String)] = [AccessHTTP.admin]) async throws -> Reply {
        try await send(method, path, headers: headers + [("Content-Type", "application/json")],
                       body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// Pushes a config + layer + manifest; returns the manifest digest and the config digest.
    @discardableResult
    func pushImage(_ repo: String, tag: String, auth: (String, String), layer: String = "layer") async throws -> (manifest: Digest, blob: Digest) {
        let pushed = try await raw.pushImage(repo, tag: tag, layer: Array(layer.utf8), headers: [auth])
        return (pushed.digest, Digest.compute(RawHTTP.imageConfig))
    }

    /// A token from the token endpoint (GET with Basic credentials).
    func bearer(_ auth: (String, String), scopes: [String]) async throws -> (String, String) {
        let query = scopes.map { "scope=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }.joined(separator: "&")
        let reply = try await send(.GET, "/token?service=drydock&\(query)", headers: [auth])
        guard reply.status == 200, let token = reply.json["token"] as? String else {
            throw TestSupportError("token endpoint: \(reply.status) \(reply.text)")
        }
        return ("Authorization", "Bearer " + token)
    }
}
