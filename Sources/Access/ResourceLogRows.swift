/// Resource-log rows in SQLite's binary JSON format (JSONB, https://sqlite.org/jsonb.html), the
/// form `AccessStore.insert` hands to `jsonb_each`: one array per row, in the INSERT's column
/// order — time, identity, identity_type, caller_ip, user_agent, operation, repository, tag,
/// digest, size, result, result_description, correlation_id, login_server.
///
/// Binary rather than text JSON because SQLite would otherwise translate every row's text into
/// this form before reading it, and because strings go in verbatim (`TEXTRAW`): no escaping to
/// scan for when writing, none to undo when reading. Written by hand straight into bytes, since
/// this runs for every logged request.
enum ResourceLogRows {
    /// The element types of JSONB used here (the low four bits of an element's first byte).
    enum Element: UInt8 {
        case null = 0, int = 3, float = 5, textRaw = 10, array = 11
    }

    /// The most bytes `write` needs for `e`: every string with the widest header, both numbers
    /// at their longest, every header at its widest.
    static func maxLength(_ e: ResourceLogEvent) -> Int {
        var strings = e.identity.utf8.count + e.identityType.utf8.count + e.callerIP.utf8.count
        strings += e.userAgent.utf8.count + e.operation.utf8.count + e.result.utf8.count
        strings += e.resultDescription.utf8.count + e.correlationID.utf8.count
        strings += (e.repository?.utf8.count ?? 0) + (e.tag?.utf8.count ?? 0)
        strings += (e.digest?.utf8.count ?? 0) + (e.loginServer?.utf8.count ?? 0)
        return strings + 5 + 14 * 5 + 2 * 30
    }

    /// Writes one row (an array of fourteen elements) at `out`'s position.
    static func write(_ e: ResourceLogEvent, to out: inout RowWriter) {
        let row = out.beginArray()
        out.number(.float) { $0.time(e.time) }
        out.text(e.identity)
        out.text(e.identityType)
        out.text(e.callerIP)
        out.text(e.userAgent)
        out.text(e.operation)
        out.optional(e.repository)
        out.optional(e.tag)
        out.optional(e.digest)
        if let size = e.size {
            out.number(.int) { writer in
                if size < 0 { writer.byte(UInt8(ascii: "-")) }
                writer.digits(size.magnitude, width: 1)
            }
        } else {
            out.null()
        }
        out.text(e.result)
        out.text(e.resultDescription)
        out.text(e.correlationID)
        out.optional(e.loginServer)
        out.endArray(row)
    }

    /// Renders one row into temporary storage (on the stack unless the row is large) and hands
    /// its bytes to `body`.
    static func withRow<R>(_ e: ResourceLogEvent, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength(e)) { storage in
            var out = RowWriter(base: storage.baseAddress!)
            write(e, to: &out)
            return try body(UnsafeBufferPointer(rebasing: storage[..<out.count]))
        }
    }

    /// One row as an array of bytes.
    static func render(_ e: ResourceLogEvent) -> [UInt8] { withRow(e) { Array($0) } }

    /// The length of the row starting at `offset` (its header included), or nil when the bytes
    /// there are not a whole row array with a four-byte size.
    static func rowLength(in rows: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard offset + 5 <= rows.count, rows[offset] == 0xE0 | Element.array.rawValue else { return nil }
        let size = rows[offset + 1 ..< offset + 5].reduce(0) { $0 << 8 | Int($1) }
        return offset + 5 + size <= rows.count ? 5 + size : nil
    }
}

/// Writes JSONB elements through a pointer into storage the caller sized for them.
struct RowWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    /// An element header: the type, and the payload size in the fewest bytes JSONB allows.
    mutating func header(_ type: ResourceLogRows.Element, size: Int) {
        switch size {
        case 0...11:
            byte(UInt8(size) << 4 | type.rawValue)
        case 12...0xFF:
            byte(0xC0 | type.rawValue)
            byte(UInt8(size))
        case 0x100...0xFFFF:
            byte(0xD0 | type.rawValue)
            byte(UInt8(size >> 8))
            byte(UInt8(size & 0xFF))
        default:
            byte(0xE0 | type.rawValue)
            bigEndian32(size)
        }
    }

    private mutating func bigEndian32(_ value: Int) {
        byte(UInt8((value >> 24) & 0xFF))
        byte(UInt8((value >> 16) & 0xFF))
        byte(UInt8((value >> 8) & 0xFF))
        byte(UInt8(value & 0xFF))
    }

    /// Opens an array whose size is only known at its end: the header takes the four-byte size
    /// form, patched by `endArray` (JSONB readers accept a wider size field than needed).
    mutating func beginArray() -> Int {
        let start = count
        byte(0xE0 | ResourceLogRows.Element.array.rawValue)
        count += 4
        return start
    }

    mutating func endArray(_ start: Int) {
        let end = count
        count = start + 1
        bigEndian32(end - start - 5)
        count = end
    }

    mutating func null() { header(.null, size: 0) }

    /// A string, stored verbatim (`TEXTRAW`: whatever bytes it holds need no escaping here).
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            header(.textRaw, size: utf8.count)
            guard let source = utf8.baseAddress else { return }
            (base + count).update(from: source, count: utf8.count)
            count += utf8.count
        }
    }

    mutating func optional(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    /// A number written as its JSON text by `body` (at most 255 bytes), under a one-byte size.
    mutating func number(_ type: ResourceLogRows.Element, _ body: (inout RowWriter) -> Void) {
        byte(0xC0 | type.rawValue)
        let sizeAt = count
        count += 1
        body(&self)
        base[sizeAt] = UInt8(count - sizeAt - 1)
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
}
