import Hummingbird
import HTTPTypes
import NIOCore
import OCI
import RegistryStorage

extension RegistryAPI {
    /// GET/HEAD a blob, honouring a single `Range` (206) and streaming from disk.
    func getBlob(_ request: Request, name: RepositoryName, digest: Digest, channel: (any Channel)?) async throws -> Response {
        guard let blob = try await store.blob(repository: name, digest: digest) else {
            throw RegistryError.blobUnknown(digest)
        }
        var headers: HTTPFields = [
            RegistryHeader.contentDigest: digest.description,
            .contentType: "application/octet-stream",
            .acceptRanges: "bytes",
            .eTag: "\"\(digest)\"",
            .cacheControl: "max-age=31536000",
        ]
        let range: ClosedRange<Int64>?
        do {
            range = try ByteRanges.requested(request.headers[.range], size: blob.size)
        } catch {
            headers[.contentRange] = "bytes */\(blob.size)"
            throw RegistryError(.rangeNotSatisfiable, "RANGE_INVALID", "requested range is outside the blob's \(blob.size) bytes", headers: headers)
        }
        let status: HTTPResponse.Status
        let length: Int64
        if let range {
            status = .partialContent
            length = range.upperBound - range.lowerBound + 1
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(blob.size)"
        } else {
            status = .ok
            length = blob.size
        }
        headers[.contentLength] = String(length)
        guard request.method == .get, length > 0 else {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let body = BlobFileBody.make(path: blob.path, range: range ?? 0...(blob.size - 1), channel: channel)
        return Response(status: status, headers: headers, body: body)
    }

    func deleteBlob(name: RepositoryName, digest: Digest) async throws -> Response {
        guard try await store.deleteBlob(repository: name, digest: digest) else {
            throw RegistryError.blobUnknown(digest)
        }
        return empty(.accepted, [RegistryHeader.contentDigest: digest.description])
    }
}
