/// Helpers over ASCII bytes. Numbers are compared as digit strings because version segments
/// such as dates or hashes routinely exceed Int64 and must neither overflow nor trap.
enum ASCII {
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
    static func upper(_ c: UInt8) -> UInt8 { (c >= 0x61 && c <= 0x7A) ? c & ~0x20 : c }

    static func isAllDigits<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        !s.isEmpty && s.allSatisfy(isDigit)
    }

    /// Numeric comparison of two runs of ASCII digits of any length (empty counts as zero).
    static func compareDigits<A: Collection, B: Collection>(_ a: A, _ b: B) -> Ordering
    where A.Element == UInt8, B.Element == UInt8 {
        let x = a.drop(while: { $0 == 0x30 })
        let y = b.drop(while: { $0 == 0x30 })
        if x.count != y.count { return x.count < y.count ? .less : .greater }
        for (p, q) in zip(x, y) where p != q { return p < q ? .less : .greater }
        return .equal
    }

    static func isZero<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        s.allSatisfy { $0 == 0x30 }
    }

    /// Plain byte-wise comparison, the order of C's strcmp and Ruby's String#<=>.
    static func compareBytes<A: Collection, B: Collection>(_ a: A, _ b: B) -> Ordering
    where A.Element == UInt8, B.Element == UInt8 {
        var i = a.makeIterator(), j = b.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return .equal
            case (nil, _): return .less
            case (_, nil): return .greater
            case let (p?, q?): if p != q { return p < q ? .less : .greater }
            }
        }
    }

    static func stripDigitsLeadingZeros(_ s: Substring) -> String {
        let t = s.drop(while: { $0 == "0" })
        return t.isEmpty ? "0" : String(t)
    }

    /// Adds one to a decimal digit string of any length.
    static func increment(_ digits: String) -> String {
        var b = Array(digits.utf8)
        var k = b.count - 1
        while k >= 0 {
            if b[k] == UInt8(ascii: "9") {
                b[k] = UInt8(ascii: "0")
                k -= 1
            } else {
                b[k] += 1
                return String(decoding: b, as: UTF8.self)
            }
        }
        return "1" + String(decoding: b, as: UTF8.self)
    }

    static func trimmed(_ s: String) -> Substring {
        let u = Substring(s)
        let start = u.firstIndex(where: { !$0.isASCIIWhitespaceLike }) ?? u.endIndex
        let end = u.lastIndex(where: { !$0.isASCIIWhitespaceLike }).map { u.index(after: $0) } ?? start
        return start < end ? u[start..<end] : u[start..<start]
    }
}

extension Character {
    var isASCIIWhitespaceLike: Bool {
        self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\u{0B}" || self == "\u{0C}" || self == "\r\n"
    }
}
