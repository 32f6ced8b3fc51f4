import Foundation

/// Fixed-width integers read out of a header at given offsets, in the byte order the format says
/// (ELF headers are either; zip is always little-endian). Reads past the end throw instead of
/// trapping, because every offset comes from the file being read.
struct BinaryFields {
    let bytes: Data
    let bigEndian: Bool

    init(_ bytes: Data, bigEndian: Bool = false) {
        // Rebase so that offsets are relative to the first byte whatever slice we were given.
        self.bytes = bytes.startIndex == 0 ? bytes : Data(bytes)
        self.bigEndian = bigEndian
    }

    var count: Int { bytes.count }

    func u16(_ offset: Int) throws -> UInt16 {
        UInt16(try unsigned(offset, width: 2))
    }

    func u32(_ offset: Int) throws -> UInt32 {
        UInt32(try unsigned(offset, width: 4))
    }

    func u64(_ offset: Int) throws -> UInt64 {
        try unsigned(offset, width: 8)
    }

    /// A 4- or 8-byte field (ELF addresses and offsets, Go pointers).
    func word(_ offset: Int, width: Int) throws -> UInt64 {
        try unsigned(offset, width: width)
    }

    private func unsigned(_ offset: Int, width: Int) throws -> UInt64 {
        guard offset >= 0, width <= 8, offset <= bytes.count - width else {
            throw ByteRangeError(offset: offset, length: width, reason: "field outside the header")
        }
        var value: UInt64 = 0
        for i in 0 ..< width {
            let byte = UInt64(bytes[offset + (bigEndian ? i : width - 1 - i)])
            value = value << 8 | byte
        }
        return value
    }
}
