import Access
import AsyncHTTPClient
import DrydockTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// Raw HTTP against a registry with access control, so tests see exact statuses and bodies.
struct AccessHTTP {
    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first(name: name) }
        var errorCode: String? {
            struct Envelope: Decodable { struct E: Decodable { var code: String }; var errors: [E] }
            return (try? JSONDecoder().decode(Envelope.self, from: Data(body)))?.errors.first?.code
        }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
    }

    let base: String

    init(_ base: String) { self.base = base }
    init(_ registry: TestRegistry) { base = registry.url }

    static func basic(_ name: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(name):\(password)".utf8).base64EncodedString())
    }

    static var admin: (String, String) { basic("admin", TestRegistry.adminPassword) }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = method == .HEAD ? ByteBuffer() : try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func json(_ method: HTTPMethod, _ path: String, _ object: Any, headers: [(String, String)] = [AccessHTTP.admin]) async throws -> Reply {
        try await send(method, path, headers: headers + [("Content-Type", "application/json")],
                       body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// Pushes a config + layer + manifest; returns the manifest digest and the config digest.
    @discardableResult
    func pushImage(_ repo: String, tag: String, auth: (String, String), layer: String = "layer") async throws -> (manifest: Digest, blob: Digest) {
        let config = Array("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".utf8)
        let bytes = Array(layer.utf8)
        for blob in [config, bytes] {
            let reply = try await send(.POST, "/v2/\(repo)/blobs/uploads/?digest=\(Digest.compute(blob))", headers: [auth], body: blob)
            guard reply.status == 201 else { throw TestSupportError("blob push: \(reply.status) \(reply.text)") }
        }
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest.compute(config), size: Int64(config.count)),
            layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: Digest.compute(bytes), size: Int64(bytes.count))]).canonicalJSON()
        let reply = try await send(.PUT, "/v2/\(repo)/manifests/\(tag)", headers: [auth, ("Content-Type", MediaType.ociManifest)], body: manifest)
        guard reply.status == 201 else { throw TestSupportError("manifest push: \(reply.status) \(reply.text)") }
        return (Digest.compute(manifest), Digest.compute(config))
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
