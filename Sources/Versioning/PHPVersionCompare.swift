/// PHP's version_compare(): canonicalise (`-_+` to `.`, split digit/letter runs), then compare
/// part by part; numbers as digit strings, words by special rank dev < alpha=a < beta=b < RC=rc < # < pl=p.
enum PHPVersionCompare {
    static func canonicalize(_ s: String) -> [[UInt8]] {
        let b = Array(s.utf8)
        guard let first = b.first else { return [] }
        var out: [UInt8] = [first]
        var lp = first
        func isdig(_ c: UInt8) -> Bool { ASCII.isDigit(c) }
        func isndig(_ c: UInt8) -> Bool { !ASCII.isDigit(c) && c != UInt8(ascii: ".") }
        for c in b.dropFirst() {
            let lq = out.last ?? 0
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "+") {
                if lq != UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
                if lq != UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
                out.append(c)
            } else if !ASCII.isAlnum(c) {
                if lq != UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            } else {
                out.append(c)
            }
            lp = c
        }
        return out.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
    }

    private static let forms: [(String, Int)] = [
        ("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("RC", 3), ("rc", 3), ("#", 4), ("pl", 5), ("p", 5),
    ]

    /// PHP matches forms by prefix (strncmp), so "patch" ranks as "p" and unknown words rank lowest.
    static func rank(_ part: [UInt8]) -> Int {
        for (name, order) in forms where part.starts(with: Array(name.utf8)) { return order }
        return -1
    }

    static func comparePart(_ a: [UInt8], _ b: [UInt8]) -> Ordering {
        let ad = a.first.map(ASCII.isDigit) ?? false, bd = b.first.map(ASCII.isDigit) ?? false
        switch (ad, bd) {
        case (true, true):
            // PHP uses strtol on the leading digits of the part.
            return ASCII.compareDigits(a.prefix(while: ASCII.isDigit), b.prefix(while: ASCII.isDigit))
        case (false, false): return Ordering(rank(a), rank(b))
        case (true, false): return Ordering(4, rank(b))
        case (false, true): return Ordering(rank(a), 4)
        }
    }

    static func compare(_ x: String, _ y: String) -> Ordering {
        let a = canonicalize(x), b = canonicalize(y)
        for (p, q) in zip(a, b) {
            let r = comparePart(p, q)
            if r != .equal { return r }
        }
        if a.count > b.count {
            let p = a[b.count]
            return (p.first.map(ASCII.isDigit) ?? false) ? .greater : Ordering(rank(p), 4)
        }
        if b.count > a.count {
            let q = b[a.count]
            return (q.first.map(ASCII.isDigit) ?? false) ? .less : Ordering(4, rank(q))
        }
        return .equal
    }
}
