import Foundation

/// The package blobs of rpm's own "ndb" database (`Packages.db`, rpm ≥ 4.16 with the ndb backend:
/// SUSE/openSUSE since 15.3), as written by rpm's lib/backend/ndb/rpmpkg.c. All integers are
/// little-endian.
///
/// - A 32-byte file header: magic "RpmP", version 0, generation, number of 4096-byte slot pages.
/// - The slot pages (the header takes the first two 16-byte slots): magic "Slot", package index,
///   block offset and block count in 16-byte blocks; a block offset of 0 marks a free slot.
/// - Each blob: magic "BlbS", package index, generation, length; the header blob; zero padding; and
///   a tail of Adler-32 (over head, blob and padding), length and magic "BlbE", filling exactly
///   `block count` blocks. Blobs that fail any of these checks are skipped, as rpm refuses them.
struct RpmNDBReader {
    static let headerMagic: UInt32 = 0x506D_7052  // "RpmP"
    static let slotMagic: UInt32 = 0x746F_6C53    // "Slot"
    static let blobHeadMagic: UInt32 = 0x5362_6C42  // "BlbS"
    static let blobTailMagic: UInt32 = 0x4562_6C42  // "BlbE"
    static let slotPageSize = 4096
    static let slotSize = 16
    static let blockSize = 16
    static let blobHeadSize = 16
    static let blobTailSize = 12

    let bytes: DatabaseFileBytes
    let slotPages: Int
    let maxBlobLength: Int

    init(_ bytes: DatabaseFileBytes, maxBlobLength: Int = 64 << 20) throws(RpmFormatError) {
        guard let header = bytes.read(at: 0, count: 32), header.storedUInt32LE(at: 0) == Self.headerMagic else {
            throw RpmFormatError("not an rpm ndb database (bad magic)")
        }
        guard header.storedUInt32LE(at: 4) == 0 else { throw RpmFormatError("unsupported ndb version") }
        guard let slotPages = header.storedUInt32LE(at: 12).map(Int.init), slotPages >= 1,
              slotPages <= bytes.size / Self.slotPageSize else {
            throw RpmFormatError("ndb slot page count does not fit the file")
        }
        self.bytes = bytes
        self.slotPages = slotPages
        self.maxBlobLength = maxBlobLength
    }

    /// Calls `body` with each used slot's blob, in slot order.
    func forEachBlob(_ body: (Result<[UInt8], RpmFormatError>) -> Void) throws(RpmFormatError) {
        let minimumBlockOffset = slotPages * Self.slotPageSize / Self.blockSize
        for pageNumber in 0..<slotPages {
            guard let page = bytes.read(at: pageNumber * Self.slotPageSize, count: Self.slotPageSize) else {
                throw RpmFormatError("slot page \(pageNumber) cannot be read")
            }
            let firstSlot = pageNumber == 0 ? 32 : 0
            for at in stride(from: firstSlot, to: Self.slotPageSize, by: Self.slotSize) {
                guard let magic = page.storedUInt32LE(at: at), let packageIndex = page.storedUInt32LE(at: at + 4),
                      let blockOffset = page.storedUInt32LE(at: at + 8), let blockCount = page.storedUInt32LE(at: at + 12) else { continue }
                guard magic == Self.slotMagic else {
                    body(.failure(RpmFormatError("bad slot magic in slot page \(pageNumber)")))
                    continue
                }
                if blockOffset == 0 { continue }
                guard packageIndex != 0, blockCount != 0, Int(blockOffset) >= minimumBlockOffset else {
                    body(.failure(RpmFormatError("bad slot for package \(packageIndex)")))
                    continue
                }
                body(Result { () throws(RpmFormatError) in
                    try blob(packageIndex: packageIndex, blockOffset: Int(blockOffset), blockCount: Int(blockCount))
                })
            }
        }
    }

    private func blob(packageIndex: UInt32, blockOffset: Int, blockCount: Int) throws(RpmFormatError) -> [UInt8] {
        let start = blockOffset * Self.blockSize
        let total = blockCount * Self.blockSize
        guard total >= Self.blobHeadSize + Self.blobTailSize, total <= maxBlobLength + 64 else {
            throw RpmFormatError("blob of package \(packageIndex) has an impossible size")
        }
        guard let block = bytes.read(at: start, count: total) else {
            throw RpmFormatError("blob of package \(packageIndex) lies outside the file")
        }
        guard block.storedUInt32LE(at: 0) == Self.blobHeadMagic, block.storedUInt32LE(at: 4) == packageIndex,
              let length = block.storedUInt32LE(at: 12).map(Int.init) else {
            throw RpmFormatError("bad blob header for package \(packageIndex)")
        }
        guard (Self.blobHeadSize + length + Self.blobTailSize + Self.blockSize - 1) / Self.blockSize == blockCount else {
            throw RpmFormatError("blob length of package \(packageIndex) does not match its slot")
        }
        let tail = total - Self.blobTailSize
        guard block.storedUInt32LE(at: tail + 4) == UInt32(length), block.storedUInt32LE(at: tail + 8) == Self.blobTailMagic else {
            throw RpmFormatError("bad blob tail for package \(packageIndex)")
        }
        guard block.storedUInt32LE(at: tail) == Self.adler32(block[0..<tail]) else {
            throw RpmFormatError("checksum mismatch in blob of package \(packageIndex)")
        }
        return Array(block[Self.blobHeadSize..<Self.blobHeadSize + length])
    }

    /// RFC 1950 Adler-32, starting from 1 as rpm does.
    static func adler32(_ data: ArraySlice<UInt8>) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = data.startIndex
        while index < data.endIndex {
            // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
            let chunkEnd = min(index + 5552, data.endIndex)
            while index < chunkEnd {
                a &+= UInt32(data[index])
                b &+= a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
