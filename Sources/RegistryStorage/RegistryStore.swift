import Foundation
import Logging
import NIOCore
import NIOPosix
import OCI

/// The registry's storage semantics over a `BlobStore` and a `MetadataStore`: upload sessions
/// that hash while they stream, blobs and manifests that become visible only once verified and
/// durable, and the lookups the distribution API needs.
public final class RegistryStore: Sendable {
    public let blobs: any BlobStore
    public let metadata: any MetadataStore
    public let pulls: PullRecorder
    /// Pushes, deletes, untags, imports and (batched) pulls, published after they commit.
    public let events = RegistryEventHub()
    private let hashes = UploadHashes()
    private let manifestCache = ManifestCache()
    private let logger: Logger

    public init(blobs: any BlobStore, metadata: any MetadataStore, logger: Logger) {
        self.blobs = blobs
        self.metadata = metadata
        self.pulls = PullRecorder(metadata: metadata, events: events)
        self.logger = logger
    }

    /// Opens (creating if needed) the embedded store in `directory`.
    /// - Parameter ownsTemporaryFiles: true for the server, which clears temp files a crash left;
    ///   `gc` and `fsck` run beside a live server and must not touch its files in progress.
    public static func openEmbedded(directory: String, logger: Logger, ownsTemporaryFiles: Bool = false) async throws -> RegistryStore {
        let blobs = try FileBlobStore(root: directory)
        if ownsTemporaryFiles { blobs.clearTemporaryFiles() }
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
        // Row first: the orphan sweep deletes data files without a row, so the file must never
        // exist before its row does.
        try await metadata.createUpload(id: id, repository: repository.value)
        do {
            try blobs.createUpload(id)
        } catch {
            try? await metadata.deleteUpload(id: id)
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

    /// How often a long-running chunk refreshes its session, so expiry never takes a session
    /// that is still receiving bytes.
    static let touchInterval: Duration = .seconds(60)

    /// Appends a chunk. `expectedOffset` is where the client says the chunk starts
    /// (`Content-Range`); a mismatch is refused with the session's real size.
    @discardableResult
    public func append<Body: AsyncSequence & Sendable>(
        id: String, repository: RepositoryName, expectedOffset: Int64?, body: Body
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        try await append(id: id, repository: repository, expectedOffset: expectedOffset, body: body, touch: true)
    }

    /// `touch: false` when the session is committed right after (the final chunk of a PUT, a
    /// monolithic POST): refreshing its idle time would be a write transaction for nothing.
    private func append<Body: AsyncSequence & Sendable>(
        id: String, repository: RepositoryName, expectedOffset: Int64?, body: Body, touch: Bool
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        _ = try await upload(id: id, repository: repository)
        let cached = try await hashes.checkout(id)
        var state: UploadHashes.State
        do {
            if let cached { state = cached } else { state = try await rehash(id) }
        } catch {
            await hashes.checkin(id, nil)
            throw error
        }
        do {
            if let expectedOffset, expectedOffset != state.size {
                throw StorageError(.rangeInvalid, "chunk starts at \(expectedOffset) but the upload has \(state.size) bytes", currentSize: state.size)
            }
            let file = try blobs.openUpload(id)
            defer { file.close() }
            var lastTouch = ContinuousClock.now
            for try await buffer in body {
                try buffer.withUnsafeReadableBytes { (bytes) throws(StorageError) in
                    try file.append(bytes)
                    state.hasher.update(bytes)
                }
                state.size += Int64(buffer.readableBytes)
                if ContinuousClock.now - lastTouch > Self.touchInterval {
                    try await metadata.touchUpload(id: id)
                    lastTouch = .now
                }
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
        if touch { try await metadata.touchUpload(id: id) }
        return state.size
    }

    /// Finishes a session: the bytes must hash to `digest`, otherwise nothing is stored and the
    /// session is gone (the spec's DIGEST_INVALID); a final chunk that does not start at
    /// `expectedOffset` is refused before anything is written and the session stays. The
    /// session stays checked out until the commit, so no other request can append to or cancel it meanwhile.
    public func complete<Body: AsyncSequence & Sendable>(
        id: String, repository: RepositoryName, digest: Digest, finalChunk: Body?, expectedOffset: Int64? = nil
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        if let finalChunk {
            try await append(id: id, repository: repository, expectedOffset: expectedOffset, body: finalChunk, touch: false)
        } else {
            _ = try await upload(id: id, repository: repository)
        }
        let cached = try await hashes.checkout(id)
        do {
            let state: UploadHashes.State
            if let cached { state = cached } else { state = try await rehash(id) }
            let actual: Digest
            if digest.algorithm == state.hasher.algorithm {
                actual = state.hasher.finalize()
            } else {
                actual = try await hashUpload(id, algorithm: digest.algorithm)
            }
            guard actual == digest else {
                blobs.deleteUpload(id)
                try? await metadata.deleteUpload(id: id)
                throw StorageError(.digestInvalid, "uploaded content has digest \(actual), not \(digest)")
            }
            let blobs = self.blobs
            let size = state.size
            // The data is made durable before the write transaction, so other writers never wait
            // on a large fsync; inside it only the rename and a directory sync remain.
            try await NIOThreadPool.singleton.runIfActive { try blobs.syncUpload(id) }
            try await metadata.commitBlob(repository: repository.value, digest: digest, size: size, uploadID: id) { alreadyStored in
                // A row whose file has gone (deleted by hand, a crash during gc) is repaired by
                // this upload rather than trusted.
                if alreadyStored, (try? blobs.size(of: digest)) == size {
                    blobs.deleteUpload(id)
                } else {
                    try blobs.promoteUpload(id, to: digest)
                }
            }
            await hashes.release(id)
            return size
        } catch {
            await hashes.release(id)
            throw error
        }
    }

    /// A monolithic upload (`POST ?digest=`): a session that lives for one request.
    public func putBlob<Body: AsyncSequence & Sendable>(
        repository: RepositoryName, digest: Digest, body: Body
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let id = try await startUpload(repository: repository)
        do {
            return try await complete(id: id, repository: repository, digest: digest, finalChunk: body)
        } catch {
            try? await cancelUpload(id: id)
            throw error
        }
    }

    /// Deletes a session; refused while a request is still sending to it.
    public func cancelUpload(id: String) async throws {
        guard await hashes.cancel(id) else {
            throw StorageError(.blobUploadInvalid, "upload \(id) is receiving data; cancel it after that request ends")
        }
        blobs.deleteUpload(id)
        try await metadata.deleteUpload(id: id)
    }

    /// Deletes sessions idle for longer than `maxIdle` seconds, and data files without a session
    /// that are as old (a crash between the two writes).
    @discardableResult
    public func expireUploads(maxIdle: Double) async throws -> Int {
        let cutoff = Date().timeIntervalSince1970 - maxIdle
        var expired = 0
        for record in try await metadata.uploads(updatedBefore: cutoff) {
            if (try? await cancelUpload(id: record.id)) != nil { expired += 1 }
        }
        for file in try blobs.uploadIDs() where Self.isValidUploadID(file.id) && file.modified < cutoff {
            if try await metadata.upload(id: file.id) == nil {
                blobs.deleteUpload(file.id)
                expired += 1
            }
        }
        return expired
    }

    private static func isValidUploadID(_ id: String) -> Bool {
        id.utf8.count == 36 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D }
    }

    /// Rebuilds a session's running hash from its bytes on disk, off the cooperative pool (the
    /// session may be gigabytes).
    private func rehash(_ id: String) async throws -> UploadHashes.State {
        let blobs = self.blobs
        return try await NIOThreadPool.singleton.runIfActive {
            var hasher = DigestHasher(.sha256)
            var size: Int64 = 0
            try blobs.forEachChunk(ofUpload: id) { chunk in
                hasher.update(chunk)
                size += Int64(chunk.count)
            }
            return UploadHashes.State(hasher: hasher, size: size)
        }
    }

    /// A session's digest in another algorithm (sha512 pushes), read back from disk.
    private func hashUpload(_ id: String, algorithm: DigestAlgorithm) async throws -> Digest {
        let blobs = self.blobs
        return try await NIOThreadPool.singleton.runIfActive {
            var hasher = DigestHasher(algorithm)
            try blobs.forEachChunk(ofUpload: id) { hasher.update($0) }
            return hasher.finalize()
        }
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
                            bytes: [UInt8], contentType: String?,
                            announceAs action: RegistryEvent.Action = .push) async throws -> PutManifestResult {
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
        // `write` returns at once when the file is already there with this size, and rewrites a
        // recorded manifest whose file went missing.
        try await metadata.putManifest(record, references: references, tags: tags) { _ in
            try blobs.write(bytes, as: digest)
        }
        let children = parsed.manifests.map(\.digest)
        let isArtifact = RegistryEvent.isArtifact(artifactType: parsed.artifactType, subject: parsed.subject?.digest)
        if tags.isEmpty {
            events.publish(RegistryEvent(action: action, repository: repository.value, digest: digest, tag: nil,
                                         mediaType: parsed.mediaType, children: children, isArtifact: isArtifact))
        }
        for tag in tags {
            events.publish(RegistryEvent(action: action, repository: repository.value, digest: digest, tag: tag,
                                         mediaType: parsed.mediaType, children: children, isArtifact: isArtifact))
        }
        return PutManifestResult(digest: digest, subject: parsed.subject?.digest)
    }

    /// Resolves a tag or digest to a stored manifest.
    /// The manifest a tag or digest names in `repository`, from `ManifestCache` while the
    /// metadata is unchanged. Its `lastPulledAt` may lag behind (pull times are written in
    /// batches anyway); everything else is as stored.
    public func manifest(repository: RepositoryName, reference: ManifestReference) async throws -> ManifestRecord? {
        let key = ManifestCache.Key(repository: repository.value, reference: reference)
        let generation = metadata.changeGeneration
        if let cached = manifestCache.record(key, generation: generation) { return cached }
        let record: ManifestRecord?
        switch reference {
        case .digest(let digest):
            record = try await metadata.manifest(repository: repository.value, digest: digest)
        case .tag(let tag):
            record = try await metadata.taggedManifest(repository: repository.value, tag: tag.value)
        }
        if let record { manifestCache.store(key, record, generation: generation) }
        return record
    }

    /// The file a manifest too large for the cache can be streamed from (like a blob), or nil
    /// when its bytes are kept in memory (then `manifestBytes`).
    public func manifestFile(_ record: ManifestRecord) -> String? {
        guard record.size > Int64(ManifestCache.maxManifestSize) else { return nil }
        return blobs.localPath(of: record.digest)
    }

    public func manifestBytes(_ record: ManifestRecord) throws -> [UInt8] {
        if let cached = manifestCache.bytes(record.digest) { return cached }
        let bytes = try blobs.read(record.digest, limit: OCI.maxManifestSize)
        manifestCache.storeBytes(record.digest, bytes)
        return bytes
    }

    /// Deletes a tag (when given one) or a manifest with all its tags (when given a digest).
    public func deleteManifest(repository: RepositoryName, reference: ManifestReference) async throws -> Bool {
        switch reference {
        case .digest(let digest):
            let deleted = try await metadata.deleteManifest(repository: repository.value, digest: digest)
            if deleted { events.publish(RegistryEvent(action: .delete, repository: repository.value, digest: digest)) }
            return deleted
        case .tag(let tag):
            let current = try await metadata.tag(repository: repository.value, tag: tag.value)
            let deleted = try await metadata.deleteTag(repository: repository.value, tag: tag.value)
            if deleted, let current {
                events.publish(RegistryEvent(action: .untag, repository: repository.value, digest: current.digest, tag: tag.value))
            }
            return deleted
        }
    }
}
