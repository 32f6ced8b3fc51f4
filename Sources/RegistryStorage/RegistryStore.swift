import Foundation
import Logging
import NIOCore
import OCI

/// The registry's storage semantics over a `BlobStore` and a `MetadataStore`: upload sessions
/// that hash while they stream, blobs and manifests that become visible only once verified and
/// durable, and the lookups the distribution API needs.
public final class RegistryStore: Sendable {
    public let blobs: any BlobStore
    public let metadata: any MetadataStore
    public let pulls: PullRecorder
    private let hashes = UploadHashes()
    private let logger: Logger

    public init(blobs: any BlobStore, metadata: any MetadataStore, logger: Logger) {
        self.blobs = blobs
        self.metadata = metadata
        self.pulls = PullRecorder(metadata: metadata)
        self.logger = logger
    }

    /// Opens (creating if needed) the embedded store in `directory`.
    public static func openEmbedded(directory: String, logger: Logger) async throws -> RegistryStore {
        let blobs = try FileBlobStore(root: directory)
        blobs.clearTemporaryFiles()
        let metadata = try await SQLiteMetadataStore.open(path: directory + "/metadata.sqlite", logger: logger)
        return RegistryStore(blobs: blobs, metadata: metadata, logger: logger)
    }

    public func close() async {
        try? await pulls.flush()
        await metadata.close()
    }

    // MARK: Uploads

    public func startUpload(repository: RepositoryName) async throws -> String {
        let id = UUID().uuidString.lowercased()
        try blobs.createUpload(id)
        do {
            try await metadata.createUpload(id: id, repository: repository.value)
        } catch {
            blobs.deleteUpload(id)
            throw error
        }
        return id
    }

    /// The session, if it exists and belongs to `repository`.
    public func upload(id: String, repository: RepositoryName) async throws -> UploadRecord {
        guard Self.isValidUploadID(id), let record = try await metadata.upload(id: id), record.repository == repository.value else {
            throw StorageError(.blobUploadUnknown, "upload \(id.prefix(80)) is unknown in \(repository)")
        }
        return record
    }

    public func uploadSize(id: String) throws -> Int64 {
        guard let size = try blobs.uploadSize(id) else {
            throw StorageError(.blobUploadUnknown, "upload \(id) has no data")
        }
        return size
    }

    /// Appends a chunk. `expectedOffset` is where the client says the chunk starts
    /// (`Content-Range`); a mismatch is refused with the session's real size.
    @discardableResult
    public func append<Body: AsyncSequence & Sendable>(
        id: String, repository: RepositoryName, expectedOffset: Int64?, body: Body
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        _ = try await upload(id: id, repository: repository)
        let blobs = self.blobs
        var state = try await hashes.checkout(id) { try Self.rehash(blobs: blobs, id: id) }
        do {
            if let expectedOffset, expectedOffset != state.size {
                throw StorageError(.rangeInvalid, "chunk starts at \(expectedOffset) but the upload has \(state.size) bytes", currentSize: state.size)
            }
            let file = try blobs.openUpload(id)
            defer { file.close() }
            for try await buffer in body {
                try buffer.withUnsafeReadableBytes { (bytes) throws(StorageError) in
                    try file.append(bytes)
                    state.hasher.update(bytes)
                }
                state.size += Int64(buffer.readableBytes)
            }
        } catch let error as StorageError where error.code != .rangeInvalid {
            // A failed write may have left bytes the hasher did not see: rebuild from disk next time.
            await hashes.checkin(id, nil)
            throw error
        } catch {
            // A refused range changed nothing; a client that went away mid-chunk leaves the bytes
            // that did arrive on disk and hashed together, so the session stays usable either way.
            await hashes.checkin(id, state)
            throw error
        }
        await hashes.checkin(id, state)
        try await metadata.touchUpload(id: id)
        return state.size
    }

    /// Finishes a session: the bytes must hash to `digest`, otherwise nothing is stored and the
    /// session is gone (the spec's DIGEST_INVALID).
    public func complete<Body: AsyncSequence & Sendable>(
        id: String, repository: RepositoryName, digest: Digest, finalChunk: Body?
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        if let finalChunk {
            try await append(id: id, repository: repository, expectedOffset: nil, body: finalChunk)
        } else {
            _ = try await upload(id: id, repository: repository)
        }
        let blobs = self.blobs
        let state = try await hashes.checkout(id) { try Self.rehash(blobs: blobs, id: id) }
        await hashes.forget(id)
        let actual: Digest
        if digest.algorithm == state.hasher.algorithm {
            actual = state.hasher.finalize()
        } else {
            actual = try Self.hashUpload(blobs: blobs, id: id, algorithm: digest.algorithm)
        }
        guard actual == digest else {
            blobs.deleteUpload(id)
            try? await metadata.deleteUpload(id: id)
            throw StorageError(.digestInvalid, "uploaded content has digest \(actual), not \(digest)")
        }
        let size = state.size
        try await metadata.commitBlob(repository: repository.value, digest: digest, size: size, uploadID: id) { alreadyStored in
            if alreadyStored {
                blobs.deleteUpload(id)
            } else {
                try blobs.promoteUpload(id, to: digest)
            }
        }
        return size
    }

    /// A monolithic upload (`POST ?digest=`): a session that lives for one request.
    public func putBlob<Body: AsyncSequence & Sendable>(
        repository: RepositoryName, digest: Digest, body: Body
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let id = try await startUpload(repository: repository)
        do {
            return try await complete(id: id, repository: repository, digest: digest, finalChunk: body)
        } catch {
            await cancelUpload(id: id)
            throw error
        }
    }

    public func cancelUpload(id: String) async {
        await hashes.forget(id)
        blobs.deleteUpload(id)
        try? await metadata.deleteUpload(id: id)
    }

    /// Deletes sessions idle for longer than `maxIdle` seconds, and data files with no session.
    @discardableResult
    public func expireUploads(maxIdle: Double) async throws -> Int {
        let cutoff = Date().timeIntervalSince1970 - maxIdle
        var expired = 0
        for record in try await metadata.uploads(updatedBefore: cutoff) {
            await cancelUpload(id: record.id)
            expired += 1
        }
        for id in try blobs.uploadIDs() where Self.isValidUploadID(id) {
            if try await metadata.upload(id: id) == nil {
                blobs.deleteUpload(id)
                expired += 1
            }
        }
        return expired
    }

    private static func isValidUploadID(_ id: String) -> Bool {
        id.utf8.count == 36 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D }
    }

    private static func rehash(blobs: any BlobStore, id: String) throws -> UploadHashes.State {
        var hasher = DigestHasher(.sha256)
        var size: Int64 = 0
        try blobs.forEachChunk(ofUpload: id) { chunk in
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        return UploadHashes.State(hasher: hasher, size: size)
    }

    private static func hashUpload(blobs: any BlobStore, id: String, algorithm: DigestAlgorithm) throws -> Digest {
        var hasher = DigestHasher(algorithm)
        try blobs.forEachChunk(ofUpload: id) { hasher.update($0) }
        return hasher.finalize()
    }

    // MARK: Blobs

    /// A blob visible in `repository`: its size and where to read it.
    public func blob(repository: RepositoryName, digest: Digest) async throws -> (size: Int64, path: String)? {
        guard let size = try await metadata.linkedBlobSize(repository: repository.value, digest: digest),
              let path = blobs.localPath(of: digest) else { return nil }
        return (size, path)
    }

    public func mount(repository: RepositoryName, digest: Digest, from: RepositoryName?) async throws -> Int64? {
        guard try await metadata.mountBlob(repository: repository.value, digest: digest, from: from?.value) else { return nil }
        return try await metadata.blobSize(digest)
    }

    public func deleteBlob(repository: RepositoryName, digest: Digest) async throws -> Bool {
        try await metadata.unlinkBlob(repository: repository.value, digest: digest)
    }

    // MARK: Manifests

    public struct PutManifestResult: Sendable {
        public let digest: Digest
        public let subject: Digest?
    }

    /// Validates and stores a manifest under `reference` (a tag, or its own digest), plus any
    /// extra tags (`?tag=` on a push by digest).
    public func putManifest(repository: RepositoryName, reference: ManifestReference, extraTags: [Tag] = [],
                            bytes: [UInt8], contentType: String?) async throws -> PutManifestResult {
        let parsed: ParsedManifest
        do {
            parsed = try ParsedManifest.parse(bytes, contentType: contentType)
        } catch {
            throw StorageError(.manifestInvalid, error.message)
        }
        var tags = extraTags.map(\.value)
        let digest: Digest
        switch reference {
        case .digest(let given):
            digest = Digest.compute(bytes, algorithm: given.algorithm)
            guard digest == given else {
                throw StorageError(.digestInvalid, "manifest content has digest \(digest), not \(given)")
            }
        case .tag(let tag):
            digest = Digest.compute(bytes)
            tags.append(tag.value)
        }
        var references: [ManifestReferenceRecord] = parsed.requiredBlobs.map { .init(child: $0.digest, kind: .blob) }
        references += parsed.manifests.map { .init(child: $0.digest, kind: .manifest) }
        let record = ManifestRecord(repository: repository.value, digest: digest, mediaType: parsed.mediaType,
                                    size: Int64(bytes.count), artifactType: parsed.artifactType,
                                    subject: parsed.subject?.digest, annotations: parsed.annotations,
                                    createdAt: 0, lastPulledAt: nil)
        let blobs = self.blobs
        try await metadata.putManifest(record, references: references, tags: tags) { alreadyStored in
            if !alreadyStored { try blobs.write(bytes, as: digest) }
        }
        return PutManifestResult(digest: digest, subject: parsed.subject?.digest)
    }

    /// Resolves a tag or digest to a stored manifest.
    public func manifest(repository: RepositoryName, reference: ManifestReference) async throws -> ManifestRecord? {
        switch reference {
        case .digest(let digest):
            return try await metadata.manifest(repository: repository.value, digest: digest)
        case .tag(let tag):
            guard let tagRecord = try await metadata.tag(repository: repository.value, tag: tag.value) else { return nil }
            return try await metadata.manifest(repository: repository.value, digest: tagRecord.digest)
        }
    }

    public func manifestBytes(_ record: ManifestRecord) throws -> [UInt8] {
        try blobs.read(record.digest, limit: OCI.maxManifestSize)
    }

    /// Deletes a tag (when given one) or a manifest with all its tags (when given a digest).
    public func deleteManifest(repository: RepositoryName, reference: ManifestReference) async throws -> Bool {
        switch reference {
        case .digest(let digest): try await metadata.deleteManifest(repository: repository.value, digest: digest)
        case .tag(let tag): try await metadata.deleteTag(repository: repository.value, tag: tag.value)
        }
    }
}
