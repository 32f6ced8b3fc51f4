import Foundation

/// The two range headers of the API: `Range: bytes=a-b` on blob GET (RFC 9110, single range) and
/// `Content-Range: a-b` on upload PATCH (the distribution spec's form, without a unit).
enum ByteRanges {
    /// The requested inclusive range within a blob of `size` bytes; nil if the header is absent or
    /// not a single byte range (then the whole blob is served, as RFC 9110 allows); throws if it
    /// cannot be satisfied.
    static func requested(_ header: String?, size: Int64) throws(RangeNotSatisfiable) -> ClosedRange<Int64>? {
        guard let header, header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.utf8.contains(UInt8(ascii: ",")), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let n = Int64(last), n > 0 else { throw RangeNotSatisfiable() }
            guard size > 0 else { throw RangeNotSatisfiable() }
            return max(0, size - n)...(size - 1)
        }
        guard let start = Int64(first), start >= 0 else { return nil }
        guard start < size else { throw RangeNotSatisfiable() }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int64(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }

    struct RangeNotSatisfiable: Error {}

    /// Start and end of a `Content-Range` on PATCH; tolerates a `bytes ` or `bytes=` prefix that
    /// some clients add.
    static func contentRange(_ header: String?) -> (start: Int64, end: Int64)? {
        guard var value = header?.trimmingCharacters(in: .whitespaces) else { return nil }
        for prefix in ["bytes=", "bytes "] where value.hasPrefix(prefix) { value = String(value.dropFirst(prefix.count)) }
        if let slash = value.firstIndex(of: "/") { value = String(value[..<slash]) }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        // Bounded well below Int64.max so `end - start + 1` can never overflow (a blob of 2^62
        // bytes is not a real upload).
        let limit: Int64 = 1 << 62
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]),
              start >= 0, start < limit, end < limit, end >= start - 1 else { return nil }
        return (start, end)
    }
}
