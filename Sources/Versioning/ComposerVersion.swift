/// A Composer (Packagist) version: normalised like Composer's VersionParser::normalize
/// (`v1.2` is `1.2.0.0`, `1.0-b2` is `1.0.0.0-beta2`, `1.x-dev` is `1.9999999.9999999.9999999-dev`)
/// and ordered like PHP's version_compare on the normalised strings, so
/// dev < alpha < beta < RC < stable < patch. Branch names (`dev-main`) are accepted and sort by
/// the same rule; Composer itself never orders them, and ranges never match them (except `==`).
public struct ComposerVersion: EcosystemVersion {
    /// The normalised version, e.g. `1.2.0.0-beta2`.
    public let normalized: String
    public let description: String

    public var isBranch: Bool { normalized.hasPrefix("dev-") }

    public init(_ string: String) throws(VersionParseError) {
        let s = String(ASCII.trimmed(string))
        guard let n = Self.normalize(s) else { throw VersionParseError(string, "not a Composer version") }
        normalized = n
        description = s
    }

    public func compare(to o: ComposerVersion) -> Ordering {
        PHPVersionCompare.compare(normalized, o.normalized)
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    // MARK: VersionParser::normalize

    static func normalize(_ input: String) -> String? {
        var v = input
        if v.isEmpty || v.utf8.count > 256 { return nil }
        // "1.0 as 2.0" aliasing keeps the first version.
        let words = v.split(separator: " ", omittingEmptySubsequences: true)
        if words.count == 3, words[1] == "as" { v = String(words[0]) }
        // Stability flags such as "@dev" are not part of the version.
        if let at = v.lastIndex(of: "@") {
            let flag = v[v.index(after: at)...].lowercased()
            if ["stable", "rc", "beta", "alpha", "dev"].contains(flag) { v = String(v[..<at]) }
        }
        if ["master", "trunk", "default"].contains(v) { v = "dev-" + v }
        if v.lowercased().hasPrefix("dev-") { return "dev-" + v.dropFirst(4) }
        if let plus = v.firstIndex(of: "+"), !v[..<plus].isEmpty, !v[..<plus].contains(where: { $0 == "," || $0.isASCIIWhitespaceLike }),
           !v[v.index(after: plus)...].isEmpty, !v[v.index(after: plus)...].contains(where: { $0.isASCIIWhitespaceLike }) {
            v = String(v[..<plus])
        }
        let b = Array(v.utf8)
        var start = 0
        if let f = b.first, f == UInt8(ascii: "v") || f == UInt8(ascii: "V") { start = 1 }
        if let r = classical(b, start) ?? dateBased(b, start) { return r }
        // "1.x-dev" style numeric branches.
        let lower = v.lowercased()
        if lower.hasSuffix("dev") {
            var head = Substring(v.dropLast(3))
            if let last = head.last, last == "." || last == "-" { head = head.dropLast() }
            if let branch = normalizeBranch(String(head)) { return branch }
        }
        return nil
    }

    private static func digitsEnd(_ b: [UInt8], _ i: Int) -> Int {
        var j = i
        while j < b.count, ASCII.isDigit(b[j]) { j += 1 }
        return j
    }

    /// `^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?` + modifier + `$`
    private static func classical(_ b: [UInt8], _ start: Int) -> String? {
        var i = start
        let e = digitsEnd(b, i)
        guard e > i, e - i <= 5 else { return nil }
        var parts = [String(decoding: b[i..<e], as: UTF8.self)]
        i = e
        while parts.count < 4, i < b.count, b[i] == UInt8(ascii: "."), i + 1 < b.count, ASCII.isDigit(b[i + 1]) {
            let f = digitsEnd(b, i + 1)
            parts.append(String(decoding: b[(i + 1)..<f], as: UTF8.self))
            i = f
        }
        while parts.count < 4 { parts.append("0") }
        guard let m = modifier(b, i) else { return nil }
        return applyModifier(parts.joined(separator: "."), m)
    }

    /// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier + `$`, longest date first.
    private static func dateBased(_ b: [UInt8], _ start: Int) -> String? {
        var ends: [Int] = []
        func isSep(_ c: UInt8) -> Bool { c == UInt8(ascii: ".") || c == UInt8(ascii: ":") || c == UInt8(ascii: "-") }
        func digitsAt(_ i: Int, _ n: Int) -> Bool { i + n <= b.count && b[i..<(i + n)].allSatisfy(ASCII.isDigit) }
        func walk(_ i: Int, twos: Int, tails: Int) {
            if twos >= 1 { ends.append(i) }
            for sep in [true, false] {
                var j = i
                if sep { guard j < b.count, isSep(b[j]) else { continue }; j += 1 }
                if tails == 0 && twos < 6 && digitsAt(j, 2) { walk(j + 2, twos: twos + 1, tails: 0) }
                if twos >= 1 && tails < 2 {
                    for n in [3, 2, 1] where digitsAt(j, n) { walk(j + n, twos: twos, tails: tails + 1) }
                }
            }
        }
        guard digitsAt(start, 4) else { return nil }
        walk(start + 4, twos: 0, tails: 0)
        for e in Set(ends).sorted(by: >) {
            if let m = modifier(b, e) {
                let date = String(decoding: b[start..<e].map { ASCII.isDigit($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
                return applyModifier(date, m)
            }
        }
        return nil
    }

    struct Modifier { var stability: String?; var number: String; var dev: Bool }

    /// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`, case-insensitive,
    /// trying the alternatives in the regex engine's order.
    static func modifier(_ b: [UInt8], _ start: Int, allowRC: Bool = true) -> Modifier? {
        let lower = b.map(ASCII.lower)
        func word(_ i: Int, _ w: String) -> Int? {
            let u = Array(w.utf8)
            return i + u.count <= lower.count && lower[i..<(i + u.count)].elementsEqual(u) ? i + u.count : nil
        }
        /// `([.-]?dev)?$` at `i`: nil when it does not match, otherwise whether "dev" was present.
        func devTail(_ i: Int) -> Bool? {
            if i == lower.count { return false }
            if lower[i] == UInt8(ascii: ".") || lower[i] == UInt8(ascii: "-"), word(i + 1, "dev") == lower.count { return true }
            if word(i, "dev") == lower.count { return true }
            return nil
        }
        var seps = [start]
        if start < lower.count, [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(lower[start]) { seps.insert(start + 1, at: 0) }
        for i in seps {
            for w in ["stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p"] where allowRC || w != "rc" {
                guard var j = word(i, w) else { continue }
                let numStart = j
                while true {
                    var k = j
                    if k < lower.count, lower[k] == UInt8(ascii: ".") || lower[k] == UInt8(ascii: "-") { k += 1 }
                    let e = digitsEnd(lower, k)
                    if e == k { break }
                    j = e
                }
                if let dev = devTail(j) {
                    let raw = String(decoding: b[i..<(i + w.utf8.count)], as: UTF8.self)
                    var num = Substring(String(decoding: b[numStart..<j], as: UTF8.self))
                    while let f = num.first, f == "." || f == "-" { num = num.dropFirst() }
                    return Modifier(stability: raw, number: String(num), dev: dev)
                }
            }
            if let dev = devTail(i) { return Modifier(stability: nil, number: "", dev: dev) }
        }
        return nil
    }

    private static func applyModifier(_ version: String, _ m: Modifier) -> String {
        var v = version
        if let st = m.stability {
            if st == "stable" { return v }
            let expanded: String
            switch st.lowercased() {
            case "a": expanded = "alpha"
            case "b": expanded = "beta"
            case "p", "pl": expanded = "patch"
            case "rc": expanded = "RC"
            default: expanded = st.lowercased()
            }
            v += "-" + expanded + m.number
        }
        if m.dev { v += "-dev" }
        return v
    }

    /// VersionParser::normalizeBranch for numeric branches; nil for named branches.
    static func normalizeBranch(_ name: String) -> String? {
        var s = Substring(ASCII.trimmed(name))
        if let f = s.first, f == "v" || f == "V" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count), ASCII.isAllDigits(parts[0].utf8) else { return nil }
        var out: [String] = [String(parts[0])]
        for p in parts.dropFirst() {
            if ASCII.isAllDigits(p.utf8) { out.append(String(p)) }
            else if p == "x" || p == "X" || p == "*" { out.append("9999999") }
            else { return nil }
        }
        while out.count < 4 { out.append("9999999") }
        return out.joined(separator: ".") + "-dev"
    }
}
