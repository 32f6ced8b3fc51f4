import Hummingbird
import HTTPTypes
import NIOCore
import OCI
import RegistryStorage

extension RegistryAPI {
    /// - Parameter recordPull: false for Drydock's own services (the defender): their reads must
    ///   not keep an image inside the "pulled in the last 30 days" window.
    func getManifest(_ request: Request, name: RepositoryName, reference: ManifestReference,
                     recordPull: Bool = true, channel: (any Channel)? = nil) async throws -> Response {
        guard let record = try await store.manifest(repository: name, reference: reference) else {
            throw RegistryError.manifestUnknown(reference)
        }
        var headers: HTTPFields = [
            .contentType: record.mediaType,
            .contentLength: String(record.size),
            RegistryHeader.contentDigest: record.digest.description,
            .eTag: "\"\(record.digest)\"",
        ]
        if let subject = record.subject { headers[RegistryHeader.ociSubject] = subject.description }
        guard request.method == .get else {
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        // Small manifests come from memory; larger ones (a big index) stream from their file like
        // a blob, without being read into memory first.
        let body: ResponseBody
        if let path = store.manifestFile(record) {
            body = BlobFileBody.make(path: path, range: 0...(record.size - 1), channel: channel)
        } else {
            body = ResponseBody(byteBuffer: ByteBuffer(bytes: try store.manifestBytes(record)))
        }
        if !recordPull {
            // Drydock's own read.
        } else if case .tag(let tag) = reference {
            store.pulls.record(repository: name.value, digest: record.digest, tag: tag.value)
        } else {
            store.pulls.record(repository: name.value, digest: record.digest, tag: nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    func putManifest(_ request: Request, name: RepositoryName, reference: ManifestReference) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > OCI.maxManifestSize {
            throw RegistryError(.contentTooLarge, "MANIFEST_INVALID", "manifest is larger than \(OCI.maxManifestSize) bytes")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: OCI.maxManifestSize)
        } catch {
            throw RegistryError(.contentTooLarge, "MANIFEST_INVALID", "manifest is larger than \(OCI.maxManifestSize) bytes")
        }
        // `?tag=` lets a push by digest tag it in the same request (distribution-spec 1.1.1).
        let extraTags = try request.uri.queryParameters.getAll("tag").map { try Tag(String($0)) }
        let result = try await store.putManifest(repository: name, reference: reference, extraTags: extraTags,
                                                 bytes: Array(buffer.readableBytesView),
                                                 contentType: request.headers[.contentType])
        var headers: HTTPFields = [
            .location: "/v2/\(name)/manifests/\(result.digest)",
            RegistryHeader.contentDigest: result.digest.description,
        ]
        if let subject = result.subject { headers[RegistryHeader.ociSubject] = subject.description }
        return empty(.created, headers)
    }

    func deleteManifest(name: RepositoryName, reference: ManifestReference) async throws -> Response {
        guard try await store.deleteManifest(repository: name, reference: reference) else {
            throw RegistryError.manifestUnknown(reference)
        }
        return empty(.accepted)
    }
}
