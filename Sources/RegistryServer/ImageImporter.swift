import Foundation
import Logging
import OCI
import RegistryClient
import RegistryStorage

/// Copies an image from another registry into this one, server-side (`drydock import`,
/// `POST /admin/import`), the way `az acr import` does: the source is read with
/// `RegistryClient` (its auth, retries and digest checks), each blob goes to a temporary file
/// that is verified before the store takes it, and manifests are stored children first, so a
/// digest mismatch anywhere stores nothing that names it. The stored manifest is announced as an
/// `import` event, which the defender scans like a push.
struct ImageImporter {
    struct Request: Sendable {
        var source: ImageReference
        var repository: RepositoryName
        var tag: Tag?
        var credentials: Credentials?
        var insecure: Bool
    }

    struct Result: Sendable, Encodable {
        var repository: String
        var tag: String?
        var digest: String
        var mediaType: String
        var manifests: Int
        var blobsCopied: Int
        var blobsPresent: Int
        var bytesCopied: Int64
    }

    let store: RegistryStore
    let temporaryDirectory: String
    let logger: Logger

    func run(_ request: Request) async throws -> Result {
        var options = RegistryClient.Options()
        options.plainHTTP = request.insecure
        options.credentials = request.credentials
        options.userAgent = "drydock-import"
        options.readsAuthFiles = false
        let client = try RegistryClient(registry: request.source.registry, options: options, logger: logger)
        defer { Task { await client.shutdown() } }
        var counts = Result(repository: request.repository.value, tag: request.tag?.value, digest: "", mediaType: "",
                            manifests: 0, blobsCopied: 0, blobsPresent: 0, bytesCopied: 0)
        let top = try await client.manifest(request.source.repository, reference: request.source.manifestReference)
        let parsed = try ParsedManifest.parse(top.bytes, contentType: top.mediaType)
        if parsed.kind == .index {
            for child in parsed.manifests {
                try await copyManifest(child.digest, client: client, request: request, counts: &counts)
            }
        } else {
            try await copyBlobs(of: parsed, client: client, request: request, counts: &counts)
        }
        let reference: ManifestReference = request.tag.map { .tag($0) } ?? .digest(top.digest)
        let stored = try await store.putManifest(repository: request.repository, reference: reference, bytes: top.bytes,
                                                 contentType: top.mediaType, announceAs: .import)
        counts.manifests += 1
        counts.digest = stored.digest.description
        counts.mediaType = parsed.mediaType
        return counts
    }

    /// One image manifest of an index, by digest (its blobs first).
    private func copyManifest(_ digest: Digest, client: RegistryClient, request: Request, counts: inout Result) async throws {
        let fetched = try await client.manifest(request.source.repository, reference: .digest(digest))
        let parsed = try ParsedManifest.parse(fetched.bytes, contentType: fetched.mediaType)
        guard parsed.kind != .index else {
            throw ImportError("\(request.source) nests an index inside an index; Drydock imports one level")
        }
        try await copyBlobs(of: parsed, client: client, request: request, counts: &counts)
        _ = try await store.putManifest(repository: request.repository, reference: .digest(digest), bytes: fetched.bytes,
                                        contentType: fetched.mediaType, announceAs: .import)
        counts.manifests += 1
    }

    private func copyBlobs(of manifest: ParsedManifest, client: RegistryClient, request: Request, counts: inout Result) async throws {
        for descriptor in manifest.requiredBlobs {
            if try await store.blob(repository: request.repository, digest: descriptor.digest) != nil {
                counts.blobsPresent += 1
                continue
            }
            let path = temporaryDirectory + "/import-\(UUID().uuidString)"
            defer { unlink(path) }
            let size = try await client.downloadBlob(request.source.repository, digest: descriptor.digest, to: path,
                                                     limit: descriptor.size >= 0 ? descriptor.size : nil)
            guard descriptor.size < 0 || size == descriptor.size else {
                throw ImportError("blob \(descriptor.digest) of \(request.source) has \(size) bytes, the manifest says \(descriptor.size)")
            }
            _ = try await store.putBlob(repository: request.repository, digest: descriptor.digest, body: FileChunks(path: path))
            counts.blobsCopied += 1
            counts.bytesCopied += size
        }
    }
}

struct ImportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
