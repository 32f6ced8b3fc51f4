import Foundation

/// Splits a text file's bytes into lines on "\n", dropping one trailing "\r" from each line (files
/// written on Windows or copied through tools that add CRLF) and tolerating a missing final newline.
struct PackageDatabaseLines: Sequence {
    let bytes: [UInt8]

    func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var position = 0

        mutating func next() -> ArraySlice<UInt8>? {
            guard position < bytes.count else { return nil }
            let start = position
            var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            position = end + 1
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            return bytes[start..<end]
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The slice without leading and trailing spaces and tabs.
    var trimmingSpacesAndTabs: ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    var isBlankLine: Bool { allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// Decodes as UTF-8, replacing invalid sequences (metadata files are not always valid UTF-8).
    var lossyUTF8: String { String(decoding: self, as: UTF8.self) }
}
