#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, error-typed wrappers over the POSIX calls the file store needs. Direct syscalls keep the
/// upload path free of Foundation's buffering and make fsync/rename ordering explicit.
enum POSIXFile {
    static func error(_ operation: String, _ path: String) -> StorageError {
        StorageError(.io, "\(operation) \(path): \(String(cString: strerror(errno)))")
    }

    /// Creates a directory; true when it did not exist before.
    @discardableResult
    static func makeDirectory(_ path: String) throws(StorageError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw error("mkdir", path)
    }

    static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    static func fsync(path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open for fsync", path) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw error("fsync", path) }
    }

    /// `sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE)`: asks Linux to start writing the file's
    /// dirty pages now, without waiting. Glibc's Swift module does not export it, so it is looked
    /// up at run time; where it does not exist this is a no-op (the final fsync still happens).
    static func startWriteback(_ fd: Int32) {
        if let syncFileRange { _ = syncFileRange(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */) }
    }

    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private static let syncFileRange: SyncFileRange? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: SyncFileRange.self)
    }()

    static func list(_ dir: String) throws(StorageError) -> [String] {
        guard let handle = opendir(dir) else {
            if errno == ENOENT { return [] }
            throw error("list", dir)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func readAll(_ path: String, limit: Int) throws(StorageError) -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk(path) { chunk in
            guard out.count + chunk.count <= limit else {
                throw StorageError(.sizeInvalid, "\(path) is larger than \(limit) bytes")
            }
            out.append(contentsOf: chunk)
        }
        return out
    }

    static func forEachChunk(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw StorageError(.blobUnknown, "\(path) does not exist") }
            throw error("open", path)
        }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw error("read", path) }
            if n == 0 { break }
            do {
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            } catch let e as StorageError {
                throw e
            } catch {
                throw StorageError(.io, "\(path): \(error)")
            }
        }
    }
}
