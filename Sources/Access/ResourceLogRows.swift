/// Resource-log rows as the JSON array of arrays `AccessStore.insert` hands to SQLite's
/// `json_each`, written by hand: Foundation's JSONEncoder would cost more than the insert.
/// Column order is the INSERT's: time, identity, identity_type, caller_ip, user_agent, operation,
/// repository, tag, digest, size, result, result_description, correlation_id, login_server.
enum ResourceLogRows {
    static func json(_ rows: some Sequence<ResourceLogEvent>) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(4096)
        var firstRow = true
        for e in rows {
            if !firstRow { out.append(UInt8(ascii: ",")) }
            firstRow = false
            out.append(UInt8(ascii: "["))
            out += Array("\(e.time)".utf8)
            for text in [e.identity, e.identityType, e.callerIP, e.userAgent, e.operation] { comma(&out); string(text, into: &out) }
            for text in [e.repository, e.tag, e.digest] { comma(&out); optional(text, into: &out) }
            comma(&out)
            if let size = e.size { out += Array(String(size).utf8) } else { out += Array("null".utf8) }
            for text in [e.result, e.resultDescription, e.correlationID] { comma(&out); string(text, into: &out) }
            comma(&out)
            optional(e.loginServer, into: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func comma(_ out: inout [UInt8]) { out.append(UInt8(ascii: ",")) }

    private static func optional(_ text: String?, into out: inout [UInt8]) {
        if let text { string(text, into: &out) } else { out += Array("null".utf8) }
    }

    /// A JSON string: quotes, backslashes and control characters escaped; other UTF-8 as is.
    static func string(_ text: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
