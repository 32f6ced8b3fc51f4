import OCI

/// Where blob bytes live. Blobs are immutable and addressed by digest; upload sessions are the
/// only mutable files. Visibility is *not* this store's business: a blob exists for clients only
/// once the metadata store has a row for it, so a file here without a row is invisible garbage
/// that `gc` removes.
///
/// The filesystem implementation is `FileBlobStore`; an S3-compatible one can follow the same
/// contract (write the upload, then "promote" it under its digest).
public protocol BlobStore: Sendable {
    /// Size of the stored blob, or nil if no file exists.
    func size(of digest: Digest) throws(StorageError) -> Int64?
    /// A local file path to stream the blob from (nil for remote stores).
    func localPath(of digest: Digest) -> String?
    /// Reads a whole blob, refusing blobs above `limit` bytes.
    func read(_ digest: Digest, limit: Int) throws(StorageError) -> [UInt8]

    func createUpload(_ id: String) throws(StorageError)
    /// Opens the session's data for appending at its end.
    func openUpload(_ id: String) throws(StorageError) -> any UploadFile
    func uploadSize(_ id: String) throws(StorageError) -> Int64?
    /// Makes the session's bytes durable (called before the commit transaction).
    func syncUpload(_ id: String) throws(StorageError)
    /// Makes the (already synced) session's bytes the blob `digest`; the directory is synced.
    func promoteUpload(_ id: String, to digest: Digest) throws(StorageError)
    func deleteUpload(_ id: String)
    /// Every session id with bytes on disk and the file's modification time (for expiry of
    /// sessions a crash orphaned).
    func uploadIDs() throws(StorageError) -> [(id: String, modified: Double)]

    /// Writes small content (manifests) durably under its digest.
    func write(_ bytes: [UInt8], as digest: Digest) throws(StorageError)
    func delete(_ digest: Digest) throws(StorageError)
    /// Every digest with a file, and the file's modification time (seconds since 1970).
    func allBlobs() throws(StorageError) -> [(digest: Digest, modified: Double)]
    /// Streams a blob's bytes in chunks (fsck verification, client-side reads of local stores).
    func forEachChunk(of digest: Digest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError)
    /// Streams the bytes of an upload session (to rebuild its hash after a restart).
    func forEachChunk(ofUpload id: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError)
}

/// An open upload file. Appends are plain `write(2)` calls into the page cache; durability comes
/// from the fsync in `promoteUpload`.
public protocol UploadFile: Sendable {
    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError)
    func close()
}
