import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

extension RegistryClient {
    /// A manifest as fetched: its bytes, the type the registry served it as, and its digest
    /// (verified against the bytes).
    public struct FetchedManifest: Sendable {
        public let bytes: [UInt8]
        public let mediaType: String
        public let digest: Digest
    }

    /// `GET /v2/` — reachable, and authenticated if the registry wants that.
    public func ping() async throws {
        let response = try await send(.GET, "/v2/", scope: nil)
        try await expect(response, [200], .GET, "/v2/")
        _ = try? await response.body.collect(upTo: 1 << 16)
    }

    public func manifest(_ repository: RepositoryName, reference: ManifestReference,
                         accept: String = MediaType.manifestAccept) async throws -> FetchedManifest {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let response = try await send(.GET, path, scope: Self.pullScope(repository), headers: [("Accept", accept)])
        try await expect(response, [200], .GET, path)
        let body = try await response.body.collect(upTo: OCI.maxManifestSize)
        let bytes = Array(body.readableBytesView)
        let algorithm: DigestAlgorithm
        if case .digest(let d) = reference { algorithm = d.algorithm } else { algorithm = .sha256 }
        let digest = Digest.compute(bytes, algorithm: algorithm)
        if case .digest(let expected) = reference, expected != digest {
            throw RegistryClientError("manifest \(repository)@\(expected) arrived with digest \(digest)")
        }
        let contentType = response.headers.first(name: "Content-Type").map(MediaType.essence)
        let parsed = try? ParsedManifest.parse(bytes, contentType: contentType)
        return FetchedManifest(bytes: bytes, mediaType: parsed?.mediaType ?? contentType ?? MediaType.ociManifest, digest: digest)
    }

    /// HEAD a manifest: its digest, type and size, or nil if absent.
    public func manifestDescriptor(_ repository: RepositoryName, reference: ManifestReference) async throws -> Descriptor? {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let response = try await send(.HEAD, path, scope: Self.pullScope(repository), headers: [("Accept", MediaType.manifestAccept)])
        if response.status == .notFound { return nil }
        try await expect(response, [200], .HEAD, path)
        guard let digestHeader = response.headers.first(name: "Docker-Content-Digest"),
              let size = response.headers.first(name: "Content-Length").flatMap(Int64.init) else {
            throw RegistryClientError("HEAD \(path) did not report digest and size")
        }
        return Descriptor(mediaType: response.headers.first(name: "Content-Type") ?? MediaType.ociManifest,
                          digest: try Digest(digestHeader), size: size)
    }

    /// Resolves a reference to image manifests: one for a plain image, one per platform (or the
    /// one matching `platform`) for an index.
    public func resolveImages(_ repository: RepositoryName, reference: ManifestReference,
                              platform: Platform? = nil) async throws -> [(platform: Platform?, manifest: FetchedManifest)] {
        let top = try await manifest(repository, reference: reference)
        let parsed: ParsedManifest
        do { parsed = try ParsedManifest.parse(top.bytes, contentType: top.mediaType) } catch {
            throw RegistryClientError("\(repository):\(reference) is not a valid manifest: \(error.message)")
        }
        guard parsed.kind == .index else { return [(nil, top)] }
        var children = parsed.manifests.filter { child in
            // Attestation manifests (buildkit's "unknown/unknown") are not runnable images.
            child.platform.map { $0.os != "unknown" } ?? true
        }
        if let platform {
            children = children.filter { $0.platform?.matches(platform) ?? false }
            guard !children.isEmpty else {
                let available = parsed.manifests.compactMap { $0.platform?.description }.joined(separator: ", ")
                throw RegistryClientError("\(repository):\(reference) has no image for \(platform) (it has: \(available))")
            }
        }
        var out: [(platform: Platform?, manifest: FetchedManifest)] = []
        for child in children {
            out.append((child.platform, try await manifest(repository, reference: .digest(child.digest))))
        }
        return out
    }

    @discardableResult
    public func putManifest(_ repository: RepositoryName, reference: ManifestReference, bytes: [UInt8],
                            mediaType: String) async throws -> Digest {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let response = try await send(.PUT, path, scope: Self.pushScope(repository),
                                      headers: [("Content-Type", mediaType)], body: { .bytes(bytes) })
        try await expect(response, [201], .PUT, path)
        if let header = response.headers.first(name: "Docker-Content-Digest"), let digest = try? Digest(header) {
            return digest
        }
        return Digest.compute(bytes)
    }

    public func deleteManifest(_ repository: RepositoryName, reference: ManifestReference) async throws {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let response = try await send(.DELETE, path, scope: Self.deleteScope(repository))
        try await expect(response, [200, 202], .DELETE, path)
    }

    /// All tags, following `Link: rel="next"` pages of `pageSize`.
    public func tags(_ repository: RepositoryName, pageSize: Int? = 1000) async throws -> [String] {
        struct TagList: Decodable { var tags: [String]? }
        var next: String? = "/v2/\(repository)/tags/list" + (pageSize.map { "?n=\($0)" } ?? "")
        var all: [String] = []
        while let path = next {
            let response = try await send(.GET, path, scope: Self.pullScope(repository))
            try await expect(response, [200], .GET, path)
            let body = try await response.body.collect(upTo: 64 << 20)
            all += (try JSONDecoder().decode(TagList.self, from: body)).tags ?? []
            next = response.headers.first(name: "Link").flatMap(Self.nextLink)
        }
        return all
    }

    /// Every repository name in the registry (`GET /v2/_catalog`), following `Link` pages.
    /// Registries list only what the caller may see; some refuse the catalog altogether.
    public func catalog(pageSize: Int? = 1000) async throws -> [String] {
        struct Catalog: Decodable { var repositories: [String]? }
        var next: String? = "/v2/_catalog" + (pageSize.map { "?n=\($0)" } ?? "")
        var all: [String] = []
        while let path = next {
            let response = try await send(.GET, path, scope: "registry:catalog:*")
            try await expect(response, [200], .GET, path)
            let body = try await response.body.collect(upTo: 64 << 20)
            all += (try JSONDecoder().decode(Catalog.self, from: body)).repositories ?? []
            next = response.headers.first(name: "Link").flatMap(Self.nextLink)
            // A registry that links back to the same page would keep us here forever.
            if next == path { break }
        }
        return all
    }

    /// The referrers of `digest` (an index of descriptors), optionally filtered by artifact type.
    public func referrers(_ repository: RepositoryName, digest: Digest, artifactType: String? = nil) async throws -> [Descriptor] {
        var path = "/v2/\(repository)/referrers/\(digest)"
        if let artifactType, let encoded = artifactType.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+", "&", "="])) {
            path += "?artifactType=\(encoded)"
        }
        let response = try await send(.GET, path, scope: Self.pullScope(repository))
        try await expect(response, [200], .GET, path)
        let body = try await response.body.collect(upTo: OCI.maxManifestSize)
        let index = try JSONDecoder().decode(ImageIndex.self, from: body)
        if let artifactType { return index.manifests.filter { $0.artifactType == artifactType } }
        return index.manifests
    }

    /// `</v2/x/tags/list?n=10&last=b>; rel="next"` → the URL inside the angle brackets.
    static func nextLink(_ header: String) -> String? {
        guard header.contains("rel=\"next\""), let open = header.firstIndex(of: "<"),
              let close = header[open...].firstIndex(of: ">") else { return nil }
        return String(header[header.index(after: open)..<close])
    }
}
