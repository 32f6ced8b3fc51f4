#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

extension RegistryClient {
    /// Size of a blob, or nil if the repository does not have it.
    public func blobSize(_ repository: RepositoryName, digest: Digest) async throws -> Int64? {
        let path = "/v2/\(repository)/blobs/\(digest)"
        let response = try await send(.HEAD, path, scope: Self.pullScope(repository))
        if response.status == .notFound { return nil }
        try await expect(response, [200], .HEAD, path)
        return response.headers.first(name: "Content-Length").flatMap(Int64.init)
    }

    /// A small blob (an image config) read whole, verified against its digest.
    public func blob(_ repository: RepositoryName, digest: Digest, maxSize: Int = 16 << 20) async throws -> [UInt8] {
        let path = "/v2/\(repository)/blobs/\(digest)"
        let response = try await send(.GET, path, scope: Self.pullScope(repository))
        try await expect(response, [200], .GET, path)
        let bytes = Array(try await response.body.collect(upTo: maxSize).readableBytesView)
        let actual = Digest.compute(bytes, algorithm: digest.algorithm)
        guard actual == digest else { throw RegistryClientError("blob \(digest) arrived with digest \(actual)") }
        return bytes
    }

    /// Streams a blob into `consume` chunk by chunk and verifies the digest at the end (throwing
    /// if it does not match, after the bytes were consumed — callers write to a temp location).
    /// - Parameter limit: refuse a blob that grows past this many bytes (a hostile source
    ///   streaming forever), instead of finding out at the digest check.
    public func streamBlob(_ repository: RepositoryName, digest: Digest, limit: Int64? = nil,
                           _ consume: (ByteBuffer) async throws -> Void) async throws -> Int64 {
        let path = "/v2/\(repository)/blobs/\(digest)"
        let response = try await send(.GET, path, scope: Self.pullScope(repository))
        try await expect(response, [200], .GET, path)
        var hasher = DigestHasher(digest.algorithm)
        var size: Int64 = 0
        for try await buffer in response.body {
            buffer.withUnsafeReadableBytes { hasher.update($0) }
            size += Int64(buffer.readableBytes)
            if let limit, size > limit { throw RegistryClientError("blob \(digest) is larger than the \(limit) bytes expected") }
            try await consume(buffer)
        }
        let actual = hasher.finalize()
        guard actual == digest else { throw RegistryClientError("blob \(digest) arrived with digest \(actual)") }
        return size
    }

    /// Downloads a blob to `path` (written to `path.partial`, renamed once verified).
    public func downloadBlob(_ repository: RepositoryName, digest: Digest, to path: String, limit: Int64? = nil) async throws -> Int64 {
        let partial = path + ".partial"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryClientError("cannot create \(partial)") }
        let size: Int64
        do {
            size = try await streamBlob(repository, digest: digest, limit: limit) { buffer in
                try buffer.withUnsafeReadableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    var offset = 0
                    while offset < bytes.count {
                        let n = write(fd, base + offset, bytes.count - offset)
                        guard n > 0 else { throw RegistryClientError("cannot write \(partial)") }
                        offset += n
                    }
                }
            }
        } catch {
            close(fd)
            unlink(partial)
            throw error
        }
        close(fd)
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw RegistryClientError("cannot rename \(partial)")
        }
        return size
    }

    /// Tries to mount `digest` from `source` into `repository`; true when the registry did
    /// (201), false when it opened an upload session instead (which is cancelled).
    public func mountBlob(_ repository: RepositoryName, digest: Digest, from source: RepositoryName) async throws -> Bool {
        let path = "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(source)"
        let scope = Self.pushScope(repository) + " " + Self.pullScope(source)
        let response = try await send(.POST, path, scope: scope, headers: [("Content-Length", "0")])
        if response.status == .created { return true }
        try await expect(response, [202], .POST, path)
        if let location = response.headers.first(name: "Location") {
            _ = try? await send(.DELETE, location, scope: Self.pushScope(repository), retry: false)
        }
        return false
    }

    /// Uploads a blob in one request (`POST` then `PUT ?digest=` with the whole body), unless
    /// the registry already has it.
    public func uploadBlob(_ repository: RepositoryName, digest: Digest, size: Int64,
                           body: @escaping RegistryClient.BodyFactory) async throws {
        if try await blobSize(repository, digest: digest) != nil { return }
        // A failed PUT may have left part of the body in the session, so a retry starts a new
        // session instead of re-sending to the old one.
        var attempt = 0
        while true {
            attempt += 1
            let location = try await startUpload(repository)
            let put = Self.appendQuery(location, "digest=\(digest)")
            do {
                let response = try await send(.PUT, put, scope: Self.pushScope(repository),
                                              headers: [("Content-Type", "application/octet-stream"), ("Content-Length", String(size))],
                                              body: body, retry: false)
                if response.status.code >= 500, attempt < options.maxAttempts {
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    continue
                }
                try await expect(response, [201], .PUT, put)
                return
            } catch let error as RegistryClientError where error.status == nil && attempt < options.maxAttempts {
                logger.debug("upload failed, retrying with a new session", metadata: ["error": "\(error)"])
                continue
            }
        }
    }

    public func uploadBlob(_ repository: RepositoryName, bytes: [UInt8]) async throws -> Digest {
        let digest = Digest.compute(bytes)
        try await uploadBlob(repository, digest: digest, size: Int64(bytes.count)) { .bytes(bytes) }
        return digest
    }

    public func uploadBlob(_ repository: RepositoryName, file: String, digest: Digest, size: Int64) async throws {
        try await uploadBlob(repository, digest: digest, size: size) { .stream(FileChunks(path: file), length: .known(size)) }
    }

    /// Uploads in chunks of `chunkSize` with `Content-Range` (for registries or proxies that cap
    /// request sizes).
    public func uploadBlobChunked(_ repository: RepositoryName, bytes: [UInt8], chunkSize: Int) async throws -> Digest {
        let digest = Digest.compute(bytes)
        var location = try await startUpload(repository)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            let chunk = Array(bytes[offset..<end])
            let response = try await send(.PATCH, location, scope: Self.pushScope(repository),
                                          headers: [("Content-Type", "application/octet-stream"),
                                                    ("Content-Range", "\(offset)-\(end - 1)"),
                                                    ("Content-Length", String(chunk.count))],
                                          body: { .bytes(chunk) }, retry: false)
            try await expect(response, [202], .PATCH, location)
            location = response.headers.first(name: "Location") ?? location
            offset = end
        }
        let put = Self.appendQuery(location, "digest=\(digest)")
        let response = try await send(.PUT, put, scope: Self.pushScope(repository), headers: [("Content-Length", "0")])
        try await expect(response, [201], .PUT, put)
        return digest
    }

    func startUpload(_ repository: RepositoryName) async throws -> String {
        let path = "/v2/\(repository)/blobs/uploads/"
        let response = try await send(.POST, path, scope: Self.pushScope(repository), headers: [("Content-Length", "0")])
        try await expect(response, [202], .POST, path)
        guard let location = response.headers.first(name: "Location") else {
            throw RegistryClientError("the registry started an upload without a Location")
        }
        return location
    }

    static func appendQuery(_ location: String, _ item: String) -> String {
        location + (location.contains("?") ? "&" : "?") + item
    }
}
