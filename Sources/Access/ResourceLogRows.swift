/// Resource-log rows as the JSON arrays `AccessStore.insert` hands to SQLite's `jsonb_each`,
/// written by hand straight into bytes: Foundation's JSONEncoder, or even one temporary string per
/// field, would cost more than the insert. Column order is the INSERT's: time, identity,
/// identity_type, caller_ip, user_agent, operation, repository, tag, digest, size, result,
/// result_description, correlation_id, login_server.
enum ResourceLogRows {
    /// One row — `[time,"identity",…]` — as bytes. The row is written through a pointer into
    /// storage sized for the worst case up front: appending field by field to an array checked
    /// capacity and uniqueness for every piece, which was most of what a logged request cost.
    static func render(_ e: ResourceLogEvent) -> [UInt8] {
        // Every byte of a string may need escaping to `\u00XX` (6 bytes); numbers take at most
        // 28 bytes; nulls 4; brackets, quotes and commas 2 per field.
        var strings = e.identity.utf8.count + e.identityType.utf8.count + e.callerIP.utf8.count
        strings += e.userAgent.utf8.count + e.operation.utf8.count + e.result.utf8.count
        strings += e.resultDescription.utf8.count + e.correlationID.utf8.count
        strings += (e.repository?.utf8.count ?? 0) + (e.tag?.utf8.count ?? 0)
        strings += (e.digest?.utf8.count ?? 0) + (e.loginServer?.utf8.count ?? 0)
        return [UInt8](unsafeUninitializedCapacity: strings * 6 + 2 * 28 + 14 * 4 + 2) { buffer, count in
            var out = RowWriter(base: buffer.baseAddress!)
            out.byte(UInt8(ascii: "["))
            out.time(e.time)
            out.byte(UInt8(ascii: ","))
            out.string(e.identity)
            out.byte(UInt8(ascii: ","))
            out.string(e.identityType)
            out.byte(UInt8(ascii: ","))
            out.string(e.callerIP)
            out.byte(UInt8(ascii: ","))
            out.string(e.userAgent)
            out.byte(UInt8(ascii: ","))
            out.string(e.operation)
            out.byte(UInt8(ascii: ","))
            out.optional(e.repository)
            out.byte(UInt8(ascii: ","))
            out.optional(e.tag)
            out.byte(UInt8(ascii: ","))
            out.optional(e.digest)
            out.byte(UInt8(ascii: ","))
            if let size = e.size {
                if size < 0 { out.byte(UInt8(ascii: "-")) }
                out.digits(size.magnitude, width: 1)
            } else {
                out.null()
            }
            out.byte(UInt8(ascii: ","))
            out.string(e.result)
            out.byte(UInt8(ascii: ","))
            out.string(e.resultDescription)
            out.byte(UInt8(ascii: ","))
            out.string(e.correlationID)
            out.byte(UInt8(ascii: ","))
            out.optional(e.loginServer)
            out.byte(UInt8(ascii: "]"))
            count = out.count
        }
    }
}

/// Writes JSON pieces through a pointer into storage the caller sized for them.
struct RowWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    mutating func bytes(_ values: UnsafeBufferPointer<UInt8>) {
        guard let source = values.baseAddress else { return }
        (base + count).update(from: source, count: values.count)
        count += values.count
    }

    mutating func null() {
        for byte in "null".utf8 { self.byte(byte) }
    }

    mutating func optional(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    /// Seconds since 1970 with microseconds (`1733441234.000123`): exact for every time a row
    /// gets, and no float formatting.
    mutating func time(_ seconds: Double) {
        guard seconds.isFinite else { byte(UInt8(ascii: "0")); return }
        let micros = (seconds * 1_000_000).rounded()
        if micros < 0 { byte(UInt8(ascii: "-")) }
        let whole = UInt64(min(micros.magnitude, 9.0e18))
        digits(whole / 1_000_000, width: 1)
        byte(UInt8(ascii: "."))
        digits(whole % 1_000_000, width: 6)
    }

    /// Decimal digits of `value`, left-padded with zeros to `width` (at most 20).
    mutating func digits(_ value: UInt64, width: Int) {
        var length = 1
        var rest = value / 10
        while rest > 0 { length += 1; rest /= 10 }
        length = max(length, min(width, 20))
        rest = value
        for position in stride(from: count + length - 1, through: count, by: -1) {
            base[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += length
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped; other UTF-8 as is.
    mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Almost every value (names, digests, addresses, user agents) needs no escaping: one
            // scan, then one bulk copy.
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes(utf8)
                return
            }
            for value in utf8 {
                switch value {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    byte(UInt8(ascii: "\\"))
                    byte(value)
                case 0..<0x20:
                    for escape in "\\u00".utf8 { byte(escape) }
                    byte(Self.hex[Int(value >> 4)])
                    byte(Self.hex[Int(value & 0xF)])
                default:
                    byte(value)
                }
            }
        }
        byte(UInt8(ascii: "\""))
    }
}
