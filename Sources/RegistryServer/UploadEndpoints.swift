import Hummingbird
import HTTPTypes
import NIOCore
import OCI
import RegistryStorage

extension RegistryAPI {
    func uploadLocation(_ name: RepositoryName, _ id: String) -> String { "/v2/\(name)/blobs/uploads/\(id)" }

    func sessionHeaders(_ name: RepositoryName, _ id: String, size: Int64) -> HTTPFields {
        [
            .location: uploadLocation(name, id),
            RegistryHeader.uploadUUID: id,
            RegistryHeader.range: RegistryHeader.rangeValue(size: size),
        ]
    }

    func blobCreated(_ name: RepositoryName, _ digest: Digest) -> Response {
        empty(.created, [.location: "/v2/\(name)/blobs/\(digest)", RegistryHeader.contentDigest: digest.description])
    }

    /// POST: a monolithic upload (`?digest=`), a cross-repository mount (`?mount=&from=`), or the
    /// start of a session.
    func startUpload(_ request: Request, name: RepositoryName, mountRefused: Bool) async throws -> Response {
        let query = request.uri.queryParameters
        if let mount = query["mount"], mountRefused {
            // The caller may not read `from`: validate the digest anyway, then start a session.
            _ = try Digest(String(mount))
        } else if let mount = query["mount"] {
            let digest = try Digest(String(mount))
            let from = try query["from"].map { try RepositoryName(String($0)) }
            if try await store.mount(repository: name, digest: digest, from: from) != nil {
                return blobCreated(name, digest)
            }
            // Not mountable (unknown, or not in `from`): the spec says fall back to a session.
        } else if let digestParam = query["digest"] {
            let digest = try Digest(String(digestParam))
            _ = try await store.putBlob(repository: name, digest: digest, body: request.body)
            return blobCreated(name, digest)
        }
        let id = try await store.startUpload(repository: name)
        var headers = sessionHeaders(name, id, size: 0)
        headers[RegistryHeader.ociChunkMinLength] = "0"
        return empty(.accepted, headers)
    }

    func uploadStatus(name: RepositoryName, id: String) async throws -> Response {
        _ = try await store.upload(id: id, repository: name)
        let size = try store.uploadSize(id: id)
        return empty(.noContent, sessionHeaders(name, id, size: size))
    }

    /// PATCH: one chunk. With `Content-Range` it must start where the session ends (else 416);
    /// without it the body is streamed onto the end.
    func patchUpload(_ request: Request, name: RepositoryName, id: String) async throws -> Response {
        _ = try await store.upload(id: id, repository: name)
        let expected = try chunkStart(request)
        return try await answeringRangeErrors(name, id) {
            let size = try await store.append(id: id, repository: name, expectedOffset: expected, body: request.body)
            return empty(.accepted, sessionHeaders(name, id, size: size))
        }
    }

    /// Where the client says a chunk starts (`Content-Range`), checked against `Content-Length`.
    private func chunkStart(_ request: Request) throws -> Int64? {
        guard let header = request.headers[RegistryHeader.contentRange] else { return nil }
        guard let range = ByteRanges.contentRange(header) else {
            throw RegistryError(.badRequest, "BLOB_UPLOAD_INVALID", "Content-Range '\(header.prefix(60))' is not of the form start-end")
        }
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length != range.end - range.start + 1 {
            throw RegistryError(.badRequest, "BLOB_UPLOAD_INVALID", "Content-Range \(header) does not match Content-Length \(length)")
        }
        return range.start
    }

    /// A chunk that does not start where the session ends is 416 with the session's real `Range`
    /// (PATCH and the final PUT alike); the session is left as it was.
    private func answeringRangeErrors(_ name: RepositoryName, _ id: String, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as StorageError where error.code == .rangeInvalid {
            var headers = sessionHeaders(name, id, size: error.currentSize ?? 0)
            headers[.contentLength] = nil
            throw RegistryError(.rangeNotSatisfiable, "BLOB_UPLOAD_INVALID", error.message, headers: headers)
        }
    }

    /// PUT `?digest=`: the last (possibly empty) chunk, then verification and commit.
    func finishUpload(_ request: Request, name: RepositoryName, id: String) async throws -> Response {
        guard let digestParam = request.uri.queryParameters["digest"] else {
            throw RegistryError(.badRequest, "DIGEST_INVALID", "PUT to finish an upload needs ?digest=")
        }
        let digest = try Digest(String(digestParam))
        let hasBody = request.headers[.contentLength].map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        let expected = hasBody ? try chunkStart(request) : nil
        return try await answeringRangeErrors(name, id) {
            _ = try await store.complete(id: id, repository: name, digest: digest, finalChunk: hasBody ? request.body : nil,
                                         expectedOffset: expected)
            return blobCreated(name, digest)
        }
    }

    func cancelUpload(name: RepositoryName, id: String) async throws -> Response {
        _ = try await store.upload(id: id, repository: name)
        try await store.cancelUpload(id: id)
        return empty(.noContent)
    }
}
