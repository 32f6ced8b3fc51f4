import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// Raw HTTP against a test registry, so tests see exact statuses, headers and error bodies.
public struct RawHTTP: Sendable {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers.first(name: name) }

        /// The first OCI error code in the body.
        public var errorCode: String? {
            struct Envelope: Decodable { struct E: Decodable { var code: String }; var errors: [E] }
            return (try? JSONDecoder().decode(Envelope.self, from: Data(body)))?.errors.first?.code
        }

        /// The body as a JSON object (empty when it is not one).
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
    }

    public let base: String

    public init(_ base: String) { self.base = base }
    public init(_ registry: TestRegistry) { base = registry.url }

    /// `path` is relative to the registry, or a full URL (a `Location` header).
    public func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = method == .HEAD ? ByteBuffer() : try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// Uploads a blob monolithically and returns its digest.
    @discardableResult
    public func pushBlob(_ repo: String, _ bytes: [UInt8], headers: [(String, String)] = []) async throws -> Digest {
        let digest = Digest.compute(bytes)
        let reply = try await send(.POST, "/v2/\(repo)/blobs/uploads/?digest=\(digest)", headers: headers, body: bytes)
        guard reply.status == 201 else { throw TestSupportError("blob push failed: \(reply.status) \(reply.text)") }
        return digest
    }

    /// The image config `pushImage` uses.
    public static let imageConfig = Array("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".utf8)

    /// Pushes config + one layer and an OCI manifest for them; returns the manifest bytes and digest.
    @discardableResult
    public func pushImage(_ repo: String, tag: String, layer: [UInt8] = Array("layer".utf8), headers: [(String, String)] = [],
                          extra: (inout ImageManifest) -> Void = { _ in }) async throws -> (bytes: [UInt8], digest: Digest) {
        let config = Self.imageConfig
        let c = try await pushBlob(repo, config, headers: headers)
        let l = try await pushBlob(repo, layer, headers: headers)
        var manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: c, size: Int64(config.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: l, size: Int64(layer.count))])
        extra(&manifest)
        let bytes = manifest.canonicalJSON()
        let reply = try await send(.PUT, "/v2/\(repo)/manifests/\(tag)", headers: headers + [("Content-Type", MediaType.ociManifest)], body: bytes)
        guard reply.status == 201 else { throw TestSupportError("manifest push failed: \(reply.status) \(reply.text)") }
        return (bytes, Digest.compute(bytes))
    }
}
