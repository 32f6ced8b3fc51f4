import OCI

/// Everything the registry remembers except blob bytes. Each mutating call is one transaction;
/// closures passed in (`place`, `remove`) run *inside* it, so a file is renamed into place or
/// removed exactly when its row appears or disappears — across processes too (`drydock gc`
/// against a running server).
///
/// The embedded implementation is `SQLiteMetadataStore`; the SQL is written for sql-kit so a
/// PostgreSQL implementation can share most of it.
public protocol MetadataStore: Sendable {
    /// Grows whenever the stored metadata may have changed: after every write transaction of
    /// this store, and — while `watchExternalChanges` runs — after commits by other processes.
    /// Reads cached under one value (`ManifestCache`) stay valid until it changes.
    var changeGeneration: UInt64 { get }
    /// Notices commits by other writers (`drydock gc --apply` beside the server; other replicas
    /// of a shared database) within `interval`, until the task is cancelled.
    func watchExternalChanges(every interval: Duration) async

    // Blobs
    func blobSize(_ digest: Digest) async throws -> Int64?
    func linkedBlobSize(repository: String, digest: Digest) async throws -> Int64?
    /// Records a verified blob and links it into `repository`. `place(alreadyStored)` moves the
    /// bytes into the blob store (or discards them when the blob was already stored).
    func commitBlob(repository: String, digest: Digest, size: Int64, uploadID: String?,
                    place: @escaping @Sendable (_ alreadyStored: Bool) throws -> Void) async throws
    /// Links an existing blob into `repository` (cross-repository mount); false if unknown.
    func mountBlob(repository: String, digest: Digest, from: String?) async throws -> Bool
    func unlinkBlob(repository: String, digest: Digest) async throws -> Bool

    // Upload sessions
    func createUpload(id: String, repository: String) async throws
    func upload(id: String) async throws -> UploadRecord?
    func touchUpload(id: String) async throws
    func deleteUpload(id: String) async throws
    func uploads(updatedBefore: Double) async throws -> [UploadRecord]

    // Manifests and tags
    func putManifest(_ record: ManifestRecord, references: [ManifestReferenceRecord], tags: [String],
                     place: @escaping @Sendable (_ alreadyStored: Bool) throws -> Void) async throws
    func manifest(repository: String, digest: Digest) async throws -> ManifestRecord?
    func tag(repository: String, tag: String) async throws -> TagRecord?
    /// The manifest a tag points at, in one read (a pull by tag is the hottest request).
    func taggedManifest(repository: String, tag: String) async throws -> ManifestRecord?
    func deleteManifest(repository: String, digest: Digest) async throws -> Bool
    func deleteTag(repository: String, tag: String) async throws -> Bool
    func tags(repository: String, after: String?, limit: Int) async throws -> [String]
    func repositoryExists(_ name: String) async throws -> Bool
    func repositories(after: String?, limit: Int) async throws -> [String]
    func referrers(repository: String, subject: Digest) async throws -> [ManifestRecord]
    func recordPulls(_ pulls: [PullRecord]) async throws

    // Whole-store walks for gc and fsck
    func allBlobs() async throws -> [(digest: Digest, size: Int64, createdAt: Double)]
    func allManifests() async throws -> [ManifestRecord]
    func allTags() async throws -> [TagRecord]
    func references(repository: String, manifest: Digest) async throws -> [ManifestReferenceRecord]
    func blobLinks() async throws -> [(repository: String, digest: Digest, createdAt: Double)]

    // Garbage collection, each step one transaction
    func unlinkUnreferencedBlobs(olderThan: Double, apply: Bool) async throws -> [(repository: String, digest: Digest)]
    func deleteUntaggedManifests(olderThan: Double, apply: Bool) async throws -> [(repository: String, digest: Digest)]
    func deleteUnreferencedBlob(_ digest: Digest, olderThan: Double,
                                remove: @escaping @Sendable () throws -> Void) async throws -> Bool
    func unreferencedBlobs(olderThan: Double) async throws -> [Digest]
    /// Runs `remove` if `digest` has no blob row, inside a write transaction, so a concurrent
    /// commit of the same digest cannot slip in between the check and the removal.
    func removeIfUnrecorded(_ digest: Digest, remove: @escaping @Sendable () throws -> Void) async throws -> Bool

    func close() async
}
