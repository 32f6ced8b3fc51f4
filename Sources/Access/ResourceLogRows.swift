/// Resource-log rows as the JSON arrays `AccessStore.insert` hands to SQLite's `jsonb_each`,
/// written by hand straight into bytes: Foundation's JSONEncoder, or even one temporary string per
/// field, would cost more than the insert. Column order is the INSERT's: time, identity,
/// identity_type, caller_ip, user_agent, operation, repository, tag, digest, size, result,
/// result_description, correlation_id, login_server.
enum ResourceLogRows {
    /// Appends one row — `[time,"identity",…]` — to `out`.
    static func append(_ e: ResourceLogEvent, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        time(e.time, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.identity, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.identityType, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.callerIP, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.userAgent, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.operation, into: &out)
        out.append(UInt8(ascii: ","))
        optional(e.repository, into: &out)
        out.append(UInt8(ascii: ","))
        optional(e.tag, into: &out)
        out.append(UInt8(ascii: ","))
        optional(e.digest, into: &out)
        out.append(UInt8(ascii: ","))
        if let size = e.size {
            if size < 0 { out.append(UInt8(ascii: "-")) }
            digits(size.magnitude, width: 1, into: &out)
        } else {
            null(into: &out)
        }
        out.append(UInt8(ascii: ","))
        string(e.result, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.resultDescription, into: &out)
        out.append(UInt8(ascii: ","))
        string(e.correlationID, into: &out)
        out.append(UInt8(ascii: ","))
        optional(e.loginServer, into: &out)
        out.append(UInt8(ascii: "]"))
    }

    /// Seconds since 1970 with microseconds (`1733441234.000123`): exact for every time a row
    /// gets, and no float formatting.
    static func time(_ seconds: Double, into out: inout [UInt8]) {
        guard seconds.isFinite else { out.append(UInt8(ascii: "0")); return }
        let micros = (seconds * 1_000_000).rounded()
        if micros < 0 { out.append(UInt8(ascii: "-")) }
        let whole = UInt64(min(micros.magnitude, 9.0e18))
        digits(whole / 1_000_000, width: 1, into: &out)
        out.append(UInt8(ascii: "."))
        digits(whole % 1_000_000, width: 6, into: &out)
    }

    /// Decimal digits of `value`, left-padded with zeros to `width`.
    static func digits(_ value: UInt64, width: Int, into out: inout [UInt8]) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &buffer) { raw in
            var position = raw.count
            var rest = value
            repeat {
                position -= 1
                raw[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || raw.count - position < width
            out.append(contentsOf: raw[position...])
        }
    }

    private static func null(into out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    private static func optional(_ text: String?, into out: inout [UInt8]) {
        if let text { string(text, into: &out) } else { null(into: &out) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped; other UTF-8 as is.
    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Almost every value (names, digests, addresses, user agents) needs no escaping: one
        // scan, then one bulk copy instead of an append per byte.
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
