import Foundation

/// Why an rpm database or one of its records could not be read.
struct RpmFormatError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// One package header as rpm keeps it in its database (the "header blob", the same bytes in
/// SQLite, Berkeley DB and ndb): big-endian `il` (number of index entries) and `dl` (size of the
/// data store), then `il` 16-byte index entries (tag, type, offset into the store, count), then the
/// store. Only the tags asked for are indexed; every read checks that the value lies inside the store.
struct RpmHeader {
    enum Tag: UInt32 {
        case name = 1000, version = 1001, release = 1002, epoch = 1003, license = 1014, arch = 1022
        case oldFileNames = 1027, sourceRPM = 1044, dirIndexes = 1116, baseNames = 1117, dirNames = 1118
        case modularityLabel = 5096
    }

    enum ValueType: UInt32 {
        case int32 = 4, string = 6, stringArray = 8, i18nString = 9
    }

    private struct Entry {
        let type: UInt32
        let offset: Int
        let count: Int
    }

    /// rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX); anything larger is not a header rpm wrote.
    static let maxIndexEntries = 0xFFFF
    static let maxDataLength = 0x0FFF_FFFF

    private let store: ArraySlice<UInt8>
    private let entries: [Tag: Entry]

    init(blob: [UInt8]) throws(RpmFormatError) {
        guard let il = blob.storedUInt32BE(at: 0), let dl = blob.storedUInt32BE(at: 4) else {
            throw RpmFormatError("header blob shorter than 8 bytes")
        }
        guard il >= 1, il <= Self.maxIndexEntries else { throw RpmFormatError("header has \(il) index entries") }
        guard dl <= Self.maxDataLength else { throw RpmFormatError("header data length \(dl) is too large") }
        let storeStart = 8 + Int(il) * 16
        guard storeStart + Int(dl) <= blob.count else {
            throw RpmFormatError("header blob truncated: needs \(storeStart + Int(dl)) bytes, has \(blob.count)")
        }
        store = blob[storeStart..<storeStart + Int(dl)]
        var entries: [Tag: Entry] = [:]
        for index in 0..<Int(il) {
            let at = 8 + index * 16
            guard let rawTag = blob.storedUInt32BE(at: at), let tag = Tag(rawValue: rawTag),
                  let type = blob.storedUInt32BE(at: at + 4), let offset = blob.storedUInt32BE(at: at + 8),
                  let count = blob.storedUInt32BE(at: at + 12) else { continue }
            guard offset < dl, count >= 1, count <= dl else {
                throw RpmFormatError("tag \(rawTag) points outside the header data")
            }
            // A tag repeated after the immutable region (a "dribble" entry) replaces the original.
            entries[tag] = Entry(type: type, offset: Int(offset), count: Int(count))
        }
        self.entries = entries
    }

    /// The first string of a STRING, STRING_ARRAY or I18NSTRING tag.
    func string(_ tag: Tag) throws(RpmFormatError) -> String? {
        guard let entry = entries[tag] else { return nil }
        guard let type = ValueType(rawValue: entry.type), type != .int32 else {
            throw RpmFormatError("tag \(tag.rawValue) has type \(entry.type), not a string")
        }
        var position = store.startIndex + entry.offset
        return try nextString(&position, tag: tag)
    }

    func stringArray(_ tag: Tag) throws(RpmFormatError) -> [String]? {
        guard let entry = entries[tag] else { return nil }
        guard entry.type == ValueType.stringArray.rawValue || entry.type == ValueType.string.rawValue else {
            throw RpmFormatError("tag \(tag.rawValue) has type \(entry.type), not a string array")
        }
        let count = entry.type == ValueType.string.rawValue ? 1 : entry.count
        var position = store.startIndex + entry.offset
        var strings: [String] = []
        strings.reserveCapacity(count)
        for _ in 0..<count { strings.append(try nextString(&position, tag: tag)) }
        return strings
    }

    func int32Array(_ tag: Tag) throws(RpmFormatError) -> [Int32]? {
        guard let entry = entries[tag] else { return nil }
        guard entry.type == ValueType.int32.rawValue else {
            throw RpmFormatError("tag \(tag.rawValue) has type \(entry.type), not INT32")
        }
        guard entry.count <= (store.count - entry.offset) / 4 else {
            throw RpmFormatError("tag \(tag.rawValue) runs past the header data")
        }
        let start = store.startIndex + entry.offset
        return (0..<entry.count).map { index in
            let at = start + index * 4
            return Int32(bitPattern: UInt32(store[at]) << 24 | UInt32(store[at + 1]) << 16
                | UInt32(store[at + 2]) << 8 | UInt32(store[at + 3]))
        }
    }

    private func nextString(_ position: inout Int, tag: Tag) throws(RpmFormatError) -> String {
        guard position < store.endIndex,
              let end = store[position...].firstIndex(of: 0) else {
            throw RpmFormatError("string of tag \(tag.rawValue) is not terminated inside the header data")
        }
        let value = String(decoding: store[position..<end], as: UTF8.self)
        position = end + 1
        return value
    }
}
