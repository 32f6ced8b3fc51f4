import Foundation

/// The values of a Berkeley DB hash database, read page by page without libdb: rpm's `Packages`
/// file up to rpm 4.16 (RHEL/CentOS ≤ 8, Amazon Linux 2, SLES ≤ 15.2).
///
/// Layout (libdb's db_page.h): page 0 is the hash metadata page (magic 0x061561 in the byte order
/// of the machine that wrote it, page size, last page number). Hash pages (type 13, or 2 for
/// databases from libdb < 4.6) hold an array of 2-byte item offsets after the 26-byte page header
/// (plus 6 bytes when the database is checksummed), alternating key and data items. A data item
/// is either inline (type 1, the bytes up to the previous item) or a reference to a chain of
/// overflow pages (type 3: page number and total length); each overflow page (type 7) carries
/// `hf_offset` bytes after its header and links to the next. Every hash page is visited in file
/// order, so bucket chains need not be followed. Overflow chains are checked against the declared
/// length and may not revisit a page, so a corrupt or hostile file cannot make the walk loop.
struct BerkeleyDBHashReader {
    static let hashMagic: UInt32 = 0x061561
    static let pageHeaderSize = 26
    /// Checksummed (unencrypted) databases have libdb's PG_CHKSUM after each page header: 2 bytes
    /// of alignment and a 4-byte checksum.
    static let checksumSize = 6
    static let validPageSizes: Set<Int> = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]

    enum PageType: UInt8 {
        case hashUnsorted = 2, overflow = 7, hashMeta = 8, hash = 13
    }

    enum ItemType: UInt8 {
        case keyData = 1, duplicate = 2, offPage = 3, offDuplicate = 4
    }

    let bytes: DatabaseFileBytes
    let bigEndian: Bool
    let pageSize: Int
    let pageCount: Int
    /// The metadata names more pages than the file holds.
    let isTruncated: Bool
    /// Where the item offset array (and overflow data) begins on a page.
    let dataStart: Int
    /// The largest value accepted (rpm headers are far smaller).
    let maxValueLength: Int

    init(_ bytes: DatabaseFileBytes, maxValueLength: Int = 64 << 20) throws(RpmFormatError) {
        guard let meta = bytes.read(at: 0, count: 72) else { throw RpmFormatError("shorter than a Berkeley DB metadata page") }
        let bigEndian: Bool
        if meta.storedUInt32LE(at: 12) == Self.hashMagic {
            bigEndian = false
        } else if meta.storedUInt32BE(at: 12) == Self.hashMagic {
            bigEndian = true
        } else {
            throw RpmFormatError("not a Berkeley DB hash database (bad magic)")
        }
        // Hash format versions 8–10 (libdb 4.x–6.x), the same range rpm's own reader accepts.
        guard let version = meta.storedUInt32(at: 16, bigEndian: bigEndian), (8...10).contains(version) else {
            throw RpmFormatError("unsupported Berkeley DB hash version")
        }
        guard let pageSize = meta.storedUInt32(at: 20, bigEndian: bigEndian).map(Int.init),
              Self.validPageSizes.contains(pageSize) else {
            throw RpmFormatError("invalid Berkeley DB page size")
        }
        guard meta[24] == 0 else { throw RpmFormatError("encrypted Berkeley DB databases are not supported") }
        guard meta[25] == PageType.hashMeta.rawValue else { throw RpmFormatError("page 0 is not a hash metadata page") }
        let checksummed = meta[26] & 0x01 != 0
        guard let lastPage = meta.storedUInt32(at: 32, bigEndian: bigEndian) else { throw RpmFormatError("truncated metadata page") }
        // Trust the file size over the header: pages past the end cannot be read anyway.
        let pageCount = min(Int(lastPage) + 1, bytes.size / pageSize)
        guard pageCount >= 1 else { throw RpmFormatError("Berkeley DB file shorter than one page") }
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.pageSize = pageSize
        self.pageCount = pageCount
        self.isTruncated = Int(lastPage) + 1 > pageCount
        self.dataStart = Self.pageHeaderSize + (checksummed ? Self.checksumSize : 0)
        self.maxValueLength = maxValueLength
    }

    /// Calls `body` with each (key, value) pair in file order. A value whose overflow chain is
    /// broken is reported as a failure and skipped; a page that cannot be read at all ends the walk.
    func forEachValue(_ body: (_ key: [UInt8], _ value: Result<[UInt8], RpmFormatError>) -> Void) throws(RpmFormatError) {
        var usedOverflowPages = Set<Int>()
        if isTruncated {
            body([], .failure(RpmFormatError("file holds \(pageCount) pages, fewer than its metadata names")))
        }
        for pageNumber in 1..<max(pageCount, 1) {
            guard let page = bytes.read(at: pageNumber * pageSize, count: pageSize) else {
                throw RpmFormatError("page \(pageNumber) cannot be read")
            }
            guard page[25] == PageType.hash.rawValue || page[25] == PageType.hashUnsorted.rawValue,
                  let entryCount = page.storedUInt16(at: 20, bigEndian: bigEndian).map(Int.init) else { continue }
            guard dataStart + entryCount * 2 <= pageSize else {
                body([], .failure(RpmFormatError("hash page \(pageNumber) claims \(entryCount) items")))
                continue
            }
            let offsets = (0..<entryCount).map { Int(page.storedUInt16(at: dataStart + $0 * 2, bigEndian: bigEndian) ?? 0) }
            for pair in stride(from: 0, to: entryCount - 1, by: 2) {
                let key = item(page, offsets, index: pair).flatMap { $0.first == ItemType.keyData.rawValue ? Array($0.dropFirst()) : nil } ?? []
                guard let value = item(page, offsets, index: pair + 1), let type = value.first else {
                    body(key, .failure(RpmFormatError("bad item offset on hash page \(pageNumber)")))
                    continue
                }
                switch ItemType(rawValue: type) {
                case .keyData:
                    body(key, .success(Array(value.dropFirst())))
                case .offPage:
                    body(key, Result { () throws(RpmFormatError) in try overflowValue(reference: value, used: &usedOverflowPages) })
                default:
                    continue  // duplicates: rpm never stores them in Packages
                }
            }
        }
    }

    /// Item `index` of a hash page: from its offset to the previous item's offset (items are
    /// packed downwards from the end of the page), as libdb's LEN_HITEM computes it.
    private func item(_ page: [UInt8], _ offsets: [Int], index: Int) -> ArraySlice<UInt8>? {
        let start = offsets[index]
        let end = index == 0 ? pageSize : offsets[index - 1]
        guard start >= dataStart + offsets.count * 2, start < end, end <= pageSize else { return nil }
        return page[start..<end]
    }

    private func overflowValue(reference: ArraySlice<UInt8>, used: inout Set<Int>) throws(RpmFormatError) -> [UInt8] {
        let item = Array(reference)
        guard let firstPage = item.storedUInt32(at: 4, bigEndian: bigEndian),
              let totalLength = item.storedUInt32(at: 8, bigEndian: bigEndian).map(Int.init) else {
            throw RpmFormatError("truncated overflow reference")
        }
        guard totalLength <= maxValueLength else { throw RpmFormatError("value of \(totalLength) bytes is too large") }
        let capacity = pageSize - dataStart
        let maxPages = totalLength / capacity + 1
        var value: [UInt8] = []
        value.reserveCapacity(totalLength)
        var pageNumber = Int(firstPage)
        var visited = 0
        while pageNumber != 0 {
            visited += 1
            guard visited <= maxPages else { throw RpmFormatError("overflow chain longer than its value") }
            guard pageNumber > 0, pageNumber < pageCount else {
                throw RpmFormatError("overflow chain points to page \(pageNumber), outside the file")
            }
            guard used.insert(pageNumber).inserted else {
                throw RpmFormatError("overflow page \(pageNumber) is reached twice (page loop)")
            }
            guard let page = bytes.read(at: pageNumber * pageSize, count: pageSize),
                  page[25] == PageType.overflow.rawValue,
                  let next = page.storedUInt32(at: 16, bigEndian: bigEndian),
                  let length = page.storedUInt16(at: 22, bigEndian: bigEndian).map(Int.init) else {
                throw RpmFormatError("page \(pageNumber) is not an overflow page")
            }
            guard length <= capacity, value.count + length <= totalLength else {
                throw RpmFormatError("overflow page \(pageNumber) holds more than its value")
            }
            value.append(contentsOf: page[dataStart..<dataStart + length])
            pageNumber = Int(next)
        }
        guard value.count == totalLength else {
            throw RpmFormatError("overflow chain holds \(value.count) of \(totalLength) bytes")
        }
        return value
    }
}
