import Foundation

/// Bounds-checked reads of fixed-width integers from untrusted bytes. Every accessor returns nil
/// instead of trapping when the value would extend past the end of the buffer.
extension Array where Element == UInt8 {
    func storedUInt16LE(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func storedUInt16BE(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    func storedUInt32LE(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        return UInt32(self[offset]) | UInt32(self[offset + 1]) << 8
            | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    func storedUInt32BE(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        return UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    func storedUInt16(at offset: Int, bigEndian: Bool) -> UInt16? {
        bigEndian ? storedUInt16BE(at: offset) : storedUInt16LE(at: offset)
    }

    func storedUInt32(at offset: Int, bigEndian: Bool) -> UInt32? {
        bigEndian ? storedUInt32BE(at: offset) : storedUInt32LE(at: offset)
    }
}

/// Random access to a wanted file's bytes, whether it was handed over in memory or spilled to disk.
/// Database formats (Berkeley DB, ndb) are read page by page through this, so a large spilled file
/// is never loaded whole.
final class DatabaseFileBytes {
    private let memory: Data?
    private let handle: FileHandle?
    let size: Int

    init(_ content: FileContent) throws {
        switch content {
        case .memory(let data):
            memory = data
            handle = nil
            size = data.count
        case .file(let url):
            let handle = try FileHandle(forReadingFrom: url)
            self.handle = handle
            memory = nil
            size = Int(try handle.seekToEnd())
        }
    }

    deinit { try? handle?.close() }

    /// Exactly `count` bytes at `offset`, or nil when that range is not inside the file.
    func read(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return nil }
        if count == 0 { return [] }
        if let memory {
            let start = memory.startIndex + offset
            return [UInt8](memory[start..<start + count])
        }
        guard let handle, (try? handle.seek(toOffset: UInt64(offset))) != nil,
              let data = try? handle.read(upToCount: count) else { return nil }
        return data.count == count ? [UInt8](data) : nil
    }
}
