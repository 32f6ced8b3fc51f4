import Foundation

/// A zip file's central directory (PKWARE APPNOTE 6.3: end-of-central-directory record, ZIP64
/// records and extra fields, central and local file headers), read from random-access bytes so
/// that a large war on disk is never loaded whole and a stored jar inside a jar is read in place.
///
/// ZIPFoundation's `Archive` is not used for reading entries: its Linux inflate loop never ends on
/// a deflate stream that runs into the end of the file (a hostile jar hangs the scan), and it
/// reads only through a FILE*. Entry data here goes through `BoundedInflater`, capped at the size
/// the directory declares, so an entry that inflates beyond it (a zip bomb) is an error, and so is
/// one that inflates to less (a truncated stream).
///
/// Like Java's ZipFile, the directory is located from the end record and any bytes in front of the
/// archive (the launch script of a Spring Boot "fully executable" jar) are allowed for: offsets
/// are taken relative to where the directory really is.
struct ZipArchive {
    struct Entry: Equatable {
        var path: String
        var method: UInt16
        var flags: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        /// File offset of the local header, prefix bytes already accounted for.
        var localHeaderOffset: Int

        var isDirectory: Bool { path.hasSuffix("/") }
        var isEncrypted: Bool { flags & 1 != 0 }
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case notZip
        case corrupt(String)
        case tooManyEntries(limit: Int)
        case unsupported(String)
        /// An entry larger than the caller's limit.
        case tooLarge(limit: Int)
        case inflate(BoundedInflater.Failure)

        var description: String {
            switch self {
            case .notZip: return "not a zip archive (no end of central directory record)"
            case .corrupt(let why): return "corrupt zip archive: \(why)"
            case .tooManyEntries(let limit): return "more than \(limit) zip entries"
            case .unsupported(let why): return why
            case .tooLarge(let limit): return "larger than \(limit) bytes uncompressed"
            case .inflate(.tooLarge): return "inflates beyond its declared size (zip bomb?)"
            case .inflate(let failure): return "\(failure)"
            }
        }
    }

    let source: any RandomAccessBytes
    let entries: [Entry]

    static let endRecordSize = 22
    static let maxCommentSize = 0xFFFF

    /// Reads the central directory; at most `maxEntries` entries and `maxDirectorySize` bytes.
    init(_ source: any RandomAccessBytes, maxEntries: Int, maxDirectorySize: Int = 64 << 20) throws {
        self.source = source
        guard source.count >= Self.endRecordSize else { throw Failure.notZip }
        let tailLength = min(source.count, Self.endRecordSize + Self.maxCommentSize)
        let tailStart = source.count - tailLength
        let tail = try Self.read(source, at: tailStart, count: tailLength)
        guard let endIndex = Self.findEndRecord(in: tail) else { throw Failure.notZip }
        let end = BinaryFields(tail[endIndex ..< endIndex + Self.endRecordSize])
        let endPosition = tailStart + endIndex
        var directorySize = UInt64(try end.u32(12))
        var directoryOffset = UInt64(try end.u32(16))
        var directoryEnd = endPosition
        var entryCount = UInt64(try end.u16(10))
        if directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF || entryCount == 0xFFFF,
           let zip64 = Self.zip64EndRecord(source, endPosition: endPosition) {
            directorySize = zip64.size
            directoryOffset = zip64.offset
            directoryEnd = zip64.position
            entryCount = zip64.count
        }
        guard directorySize <= UInt64(maxDirectorySize) else {
            throw Failure.unsupported("zip central directory larger than \(maxDirectorySize) bytes")
        }
        let directoryStart = directoryEnd - Int(directorySize)
        guard directoryStart >= 0, directoryOffset <= UInt64(directoryStart) else {
            throw Failure.corrupt("central directory does not fit before its end record")
        }
        let prefix = directoryStart - Int(directoryOffset)
        let directory = try Self.read(source, at: directoryStart, count: Int(directorySize))
        entries = try Self.parseDirectory(directory, prefix: prefix, maxEntries: maxEntries)
        // A count of 0xFFFF may be saturated without ZIP64 records (some writers); otherwise the
        // records found must be the records announced.
        guard entryCount == 0xFFFF || entryCount == UInt64(entries.count) else {
            throw Failure.corrupt("central directory lists \(entries.count) entries, its end record \(entryCount)")
        }
    }

    /// The entry's bytes, uncompressed; at most `limit` bytes.
    func data(of entry: Entry, limit: Int) throws -> Data {
        let start = try dataStart(of: entry, limit: limit)
        switch entry.method {
        case 0:
            return try Self.read(source, at: start, count: entry.compressedSize)
        case 8:
            if entry.compressedSize == 0 && entry.uncompressedSize == 0 { return Data() }
            let data: Data
            do {
                data = try BoundedInflater.inflateRaw(source, offset: start, compressedSize: entry.compressedSize,
                                                      limit: entry.uncompressedSize)
            } catch let failure as BoundedInflater.Failure {
                throw Failure.inflate(failure)
            }
            guard data.count == entry.uncompressedSize else {
                throw Failure.corrupt("inflates to \(data.count) bytes, not the \(entry.uncompressedSize) declared")
            }
            return data
        default:
            throw Failure.unsupported("compression method \(entry.method)")
        }
    }

    /// The entry as random-access bytes of its own (a nested archive): a window onto this archive
    /// when stored, else its inflated bytes (at most `limit`).
    func bytes(of entry: Entry, limit: Int) throws -> any RandomAccessBytes {
        if entry.method == 0 {
            let start = try dataStart(of: entry, limit: limit)
            return try source.slice(offset: start, length: entry.compressedSize)
        }
        return DataBytes(try data(of: entry, limit: limit))
    }

    /// Where the entry's data starts, after checking that it can be read within `limit`.
    private func dataStart(of entry: Entry, limit: Int) throws -> Int {
        guard !entry.isEncrypted else { throw Failure.unsupported("encrypted entry") }
        guard entry.uncompressedSize <= limit else { throw Failure.tooLarge(limit: limit) }
        if entry.method == 0, entry.compressedSize != entry.uncompressedSize {
            throw Failure.corrupt("stored entry with different sizes")
        }
        let header = BinaryFields(try Self.read(source, at: entry.localHeaderOffset, count: 30))
        guard try header.u32(0) == 0x0403_4B50 else { throw Failure.corrupt("no local file header") }
        let start = entry.localHeaderOffset + 30 + Int(try header.u16(26)) + Int(try header.u16(28))
        guard source.contains(offset: start, length: entry.compressedSize) else {
            throw Failure.corrupt("entry data outside the file")
        }
        return start
    }

    /// The end record's index in `tail` (the file's last bytes), searching back from the end since
    /// an archive comment may follow it.
    private static func findEndRecord(in tail: Data) -> Int? {
        var index = tail.count - endRecordSize
        while index >= 0 {
            if tail[index] == 0x50, tail[index + 1] == 0x4B, tail[index + 2] == 0x05, tail[index + 3] == 0x06 {
                let commentLength = Int(tail[index + 20]) | Int(tail[index + 21]) << 8
                if index + endRecordSize + commentLength <= tail.count { return index }
            }
            index -= 1
        }
        return nil
    }

    /// The ZIP64 end record named by the locator just before the end record: directory size,
    /// offset, and the record's own position.
    private static func zip64EndRecord(_ source: any RandomAccessBytes, endPosition: Int)
        -> (count: UInt64, size: UInt64, offset: UInt64, position: Int)? {
        let locatorPosition = endPosition - 20
        guard locatorPosition >= 0, let locatorData = try? source.read(at: locatorPosition, count: 20) else { return nil }
        let locator = BinaryFields(locatorData)
        guard (try? locator.u32(0)) == 0x0706_4B50, let recorded = try? locator.u64(8) else { return nil }
        // The recorded offset ignores prefix bytes; the record normally sits right before the locator.
        var candidates: [Int] = [locatorPosition - 56]
        if recorded <= UInt64(Int.max) { candidates.insert(Int(recorded), at: 0) }
        for position in candidates where position >= 0 {
            guard let data = try? source.read(at: position, count: 56) else { continue }
            let record = BinaryFields(data)
            guard (try? record.u32(0)) == 0x0606_4B50, let count = try? record.u64(32), let size = try? record.u64(40),
                  let offset = try? record.u64(48) else {
                continue
            }
            return (count, size, offset, position)
        }
        return nil
    }

    private static func parseDirectory(_ directory: Data, prefix: Int, maxEntries: Int) throws -> [Entry] {
        let fields = BinaryFields(directory)
        var entries: [Entry] = []
        var position = 0
        while position + 4 <= directory.count, try fields.u32(position) == 0x0201_4B50 {
            guard entries.count < maxEntries else { throw Failure.tooManyEntries(limit: maxEntries) }
            guard position + 46 <= directory.count else { throw Failure.corrupt("central directory cut short") }
            let flags = try fields.u16(position + 8)
            let method = try fields.u16(position + 10)
            var compressed = UInt64(try fields.u32(position + 20))
            var uncompressed = UInt64(try fields.u32(position + 24))
            let nameLength = Int(try fields.u16(position + 28))
            let extraLength = Int(try fields.u16(position + 30))
            let commentLength = Int(try fields.u16(position + 32))
            var localOffset = UInt64(try fields.u32(position + 42))
            let nameStart = position + 46
            let next = nameStart + nameLength + extraLength + commentLength
            guard next <= directory.count else { throw Failure.corrupt("central directory cut short") }
            let nameBytes = directory[nameStart ..< nameStart + nameLength]
            let name = flags & 0x800 != 0
                ? String(decoding: nameBytes, as: UTF8.self)
                : String(bytes: nameBytes, encoding: .utf8) ?? String(bytes: nameBytes, encoding: .isoLatin1) ?? ""

            // ZIP64 extended information: 8-byte values for the fields saturated above, in order.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try fields.u16(extra), size = Int(try fields.u16(extra + 2))
                let body = extra + 4
                guard body + size <= extraEnd else { break }
                if id == 0x0001 {
                    var cursor = body
                    func nextValue() throws -> UInt64? {
                        guard cursor + 8 <= body + size else { return nil }
                        defer { cursor += 8 }
                        return try fields.u64(cursor)
                    }
                    if uncompressed == 0xFFFF_FFFF, let value = try nextValue() { uncompressed = value }
                    if compressed == 0xFFFF_FFFF, let value = try nextValue() { compressed = value }
                    if localOffset == 0xFFFF_FFFF, let value = try nextValue() { localOffset = value }
                }
                extra = body + size
            }

            guard compressed <= UInt64(Int.max), uncompressed <= UInt64(Int.max),
                  localOffset <= UInt64(Int.max - max(prefix, 0)) else {
                throw Failure.corrupt("\(name): size or offset out of range")
            }
            entries.append(Entry(path: name, method: method, flags: flags, compressedSize: Int(compressed),
                                 uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset) + prefix))
            position = next
        }
        return entries
    }

    private static func read(_ source: any RandomAccessBytes, at offset: Int, count: Int) throws -> Data {
        do {
            return try source.read(at: offset, count: count)
        } catch {
            throw Failure.corrupt("\(error)")
        }
    }
}
