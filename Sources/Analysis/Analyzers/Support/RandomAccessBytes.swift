import Foundation

/// Random access to a file's bytes, whether they are in memory or in a spilled temporary file, so
/// that container formats (ELF, zip) read only the ranges they need instead of loading a 200 MB
/// executable or war. Every read is bounds-checked: a range outside the content throws
/// `ByteRangeError` rather than returning short data, so parsers can take offsets from hostile
/// headers without checking them twice.
protocol RandomAccessBytes {
    /// Total length in bytes.
    var count: Int { get }
    /// Exactly `length` bytes starting at `offset` (a new `Data` whose indices start at 0).
    func read(at offset: Int, count length: Int) throws -> Data
}

/// A read outside the content, or an I/O failure of the underlying file.
struct ByteRangeError: Error, CustomStringConvertible {
    var offset: Int
    var length: Int
    var reason: String = "outside the content"

    var description: String { "\(length) bytes at offset \(offset): \(reason)" }
}

extension RandomAccessBytes {
    /// Whether `offset ..< offset + length` lies inside the content (overflow-safe).
    func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count && length <= count - offset
    }

    /// The same as `read(at:count:)` for offsets and lengths taken from 64-bit header fields.
    func read(at offset: UInt64, count length: UInt64) throws -> Data {
        guard offset <= UInt64(Int.max), length <= UInt64(Int.max) else {
            throw ByteRangeError(offset: Int.max, length: Int.max, reason: "offset or length beyond Int range")
        }
        return try read(at: Int(offset), count: Int(length))
    }

    /// A view of `length` bytes at `offset`, without copying them (a stored jar inside a jar).
    func slice(offset: Int, length: Int) throws -> any RandomAccessBytes {
        guard contains(offset: offset, length: length) else { throw ByteRangeError(offset: offset, length: length) }
        return SlicedBytes(base: self, start: offset, count: length)
    }
}

/// Bytes held in memory.
struct DataBytes: RandomAccessBytes {
    private let data: Data

    init(_ data: Data) { self.data = data }

    var count: Int { data.count }

    func read(at offset: Int, count length: Int) throws -> Data {
        guard contains(offset: offset, length: length) else { throw ByteRangeError(offset: offset, length: length) }
        let start = data.startIndex + offset
        return Data(data[start ..< start + length])
    }
}

/// A window onto other bytes.
struct SlicedBytes: RandomAccessBytes {
    let base: any RandomAccessBytes
    let start: Int
    let count: Int

    func read(at offset: Int, count length: Int) throws -> Data {
        guard contains(offset: offset, length: length) else { throw ByteRangeError(offset: offset, length: length) }
        return try base.read(at: start + offset, count: length)
    }
}

/// Bytes of a file on disk, read with seek + read through one `FileHandle` (closed on deinit).
final class FileBytes: RandomAccessBytes {
    private let handle: FileHandle
    let count: Int

    init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        let end = try handle.seekToEnd()
        guard end <= UInt64(Int.max) else { throw ByteRangeError(offset: 0, length: Int.max, reason: "file too large") }
        count = Int(end)
    }

    deinit { try? handle.close() }

    func read(at offset: Int, count length: Int) throws -> Data {
        guard contains(offset: offset, length: length) else { throw ByteRangeError(offset: offset, length: length) }
        if length == 0 { return Data() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            var result = Data()
            // read(upToCount:) may return less than asked; loop until done or the file ends early
            // (it changed under us), which is an error rather than short data.
            while result.count < length {
                guard let piece = try handle.read(upToCount: length - result.count), !piece.isEmpty else {
                    throw ByteRangeError(offset: offset, length: length, reason: "file ended early")
                }
                result.append(piece)
            }
            return result
        } catch let error as ByteRangeError {
            throw error
        } catch {
            throw ByteRangeError(offset: offset, length: length, reason: "read failed: \(error)")
        }
    }
}

extension FileContent {
    /// Random access to the content: the in-memory data, or the spilled file through a FileHandle.
    func randomAccessBytes() throws -> any RandomAccessBytes {
        switch self {
        case .memory(let data): return DataBytes(data)
        case .file(let url): return try FileBytes(url: url)
        }
    }
}
