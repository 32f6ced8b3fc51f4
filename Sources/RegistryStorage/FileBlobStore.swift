#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OCI

/// `BlobStore` on a local filesystem, laid out as `blobs/<alg>/<first 2 hex>/<hex>`.
public struct FileBlobStore: BlobStore {
    public let root: String
    private var blobsDir: String { root + "/blobs" }
    private var uploadsDir: String { root + "/uploads" }
    private var tmpDir: String { root + "/tmp" }

    public init(root: String) throws(StorageError) {
        self.root = root
        for dir in [root, root + "/blobs", root + "/uploads", root + "/tmp"] {
            try POSIXFile.makeDirectory(dir)
        }
        for algorithm in DigestAlgorithm.allCases {
            try POSIXFile.makeDirectory(root + "/blobs/" + algorithm.rawValue)
        }
    }

    func path(of digest: Digest) -> String {
        "\(blobsDir)/\(digest.algorithm.rawValue)/\(digest.encoded.prefix(2))/\(digest.encoded)"
    }

    private func uploadPath(_ id: String) -> String { "\(uploadsDir)/\(id)" }

    public func size(of digest: Digest) throws(StorageError) -> Int64? {
        POSIXFile.size(path(of: digest))
    }

    public func localPath(of digest: Digest) -> String? { path(of: digest) }

    public func read(_ digest: Digest, limit: Int) throws(StorageError) -> [UInt8] {
        try POSIXFile.readAll(path(of: digest), limit: limit)
    }

    public func createUpload(_ id: String) throws(StorageError) {
        let fd = open(uploadPath(id), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFile.error("create upload", uploadPath(id)) }
        Glibc.close(fd)
    }

    public func openUpload(_ id: String) throws(StorageError) -> any UploadFile {
        let fd = open(uploadPath(id), O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw StorageError(.blobUploadUnknown, "upload \(id) has no data file") }
            throw POSIXFile.error("open upload", uploadPath(id))
        }
        return POSIXUploadFile(fd: fd)
    }

    public func uploadSize(_ id: String) throws(StorageError) -> Int64? {
        POSIXFile.size(uploadPath(id))
    }

    public func syncUpload(_ id: String) throws(StorageError) {
        try POSIXFile.fsync(path: uploadPath(id))
    }

    public func promoteUpload(_ id: String, to digest: Digest) throws(StorageError) {
        let source = uploadPath(id)
        let target = path(of: digest)
        let dir = try prefixDirectory(of: target)
        guard rename(source, target) == 0 else { throw POSIXFile.error("rename upload to", target) }
        try POSIXFile.fsync(path: dir)
    }

    /// The `blobs/<alg>/<xx>` directory of `target`, created (and made durable in its parent)
    /// when it is new.
    private func prefixDirectory(of target: String) throws(StorageError) -> String {
        let dir = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
        if try POSIXFile.makeDirectory(dir) {
            try POSIXFile.fsync(path: String(dir[..<(dir.lastIndex(of: "/") ?? dir.endIndex)]))
        }
        return dir
    }

    public func deleteUpload(_ id: String) {
        unlink(uploadPath(id))
    }

    public func uploadIDs() throws(StorageError) -> [(id: String, modified: Double)] {
        try POSIXFile.list(uploadsDir).map { ($0, POSIXFile.modificationTime("\(uploadsDir)/\($0)") ?? 0) }
    }

    public func write(_ bytes: [UInt8], as digest: Digest) throws(StorageError) {
        let target = path(of: digest)
        if POSIXFile.size(target) == Int64(bytes.count) { return }
        let temp = "\(tmpDir)/\(digest.encoded).\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFile.error("create", temp) }
        let file = POSIXUploadFile(fd: fd)
        do throws(StorageError) {
            let failure = bytes.withUnsafeBytes { buffer -> StorageError? in
                do throws(StorageError) { try file.append(buffer); return nil } catch { return error }
            }
            if let failure { throw failure }
            guard Glibc.fsync(fd) == 0 else { throw POSIXFile.error("fsync", temp) }
        } catch {
            file.close()
            unlink(temp)
            throw error
        }
        file.close()
        let dir = try prefixDirectory(of: target)
        guard rename(temp, target) == 0 else {
            unlink(temp)
            throw POSIXFile.error("rename to", target)
        }
        try POSIXFile.fsync(path: dir)
    }

    public func delete(_ digest: Digest) throws(StorageError) {
        let p = path(of: digest)
        if unlink(p) != 0 && errno != ENOENT { throw POSIXFile.error("delete", p) }
    }

    public func allBlobs() throws(StorageError) -> [(digest: Digest, modified: Double)] {
        var out: [(digest: Digest, modified: Double)] = []
        for algorithm in DigestAlgorithm.allCases {
            let algDir = "\(blobsDir)/\(algorithm.rawValue)"
            for prefix in try POSIXFile.list(algDir) {
                for name in try POSIXFile.list("\(algDir)/\(prefix)") {
                    // Names that are not digests are foreign files; fsck reports only blobs.
                    guard let digest = try? Digest(algorithm: algorithm, encoded: name) else { continue }
                    out.append((digest, POSIXFile.modificationTime("\(algDir)/\(prefix)/\(name)") ?? 0))
                }
            }
        }
        return out
    }

    public func forEachChunk(of digest: Digest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError) {
        try POSIXFile.forEachChunk(path(of: digest), body)
    }

    public func forEachChunk(ofUpload id: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError) {
        try POSIXFile.forEachChunk(uploadPath(id), body)
    }

    /// Removes temp files a crash left behind (they were never renamed, so never visible).
    public func clearTemporaryFiles() {
        for name in (try? POSIXFile.list(tmpDir)) ?? [] { unlink("\(tmpDir)/\(name)") }
    }
}

final class POSIXUploadFile: UploadFile, @unchecked Sendable {
    // The descriptor is owned by exactly one request at a time (the session lock guarantees it).
    private let fd: Int32
    private var written: Int64 = 0
    private var flushedUpTo: Int64 = 0
    /// Start writeback every 8 MiB while the upload is still arriving, so the fsync that makes
    /// the blob durable at the end has little left to write (it otherwise costs as much as
    /// writing the whole blob again, after the client has finished sending).
    private static let writebackInterval: Int64 = 8 << 20

    init(fd: Int32) { self.fd = fd }

    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFile.error("write", "upload")
            }
            remaining -= n
            base += n
        }
        written += Int64(bytes.count)
        if written - flushedUpTo >= Self.writebackInterval {
            POSIXFile.startWriteback(fd)
            flushedUpTo = written
        }
    }

    func close() { Glibc.close(fd) }
}
