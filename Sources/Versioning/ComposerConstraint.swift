/// Composer constraints as VersionParser::parseConstraints reads them: `||` (or `|`) unions,
/// `,` or blank for AND, `^`, `~`, wildcards, hyphen ranges and operators. Like Composer, `<X`
/// and `>=X` without a stability mean `X-dev`, so `<2.0` excludes `2.0.0-beta1`.
extension VersionRange {
    public static func composer(_ text: String) throws(VersionParseError) -> VersionRange {
        var result = VersionRange.none
        let normalizedOr = text.replacingOccurrences(of: "||", with: "|")
        for alternative in normalizedOr.split(separator: "|", omittingEmptySubsequences: false) {
            result = result.union(try composerAnd(ASCII.trimmed(String(alternative)), original: text))
        }
        return result
    }

    private static func composerAnd(_ text: Substring, original: String) throws(VersionParseError) -> VersionRange {
        if text.isEmpty { throw VersionParseError(original, "empty constraint") }
        var tokens = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        var set = VersionRange.any
        var k = 0
        // Re-attach operators written with a blank before the version (">= 1.0").
        var merged: [String] = []
        while k < tokens.count {
            if tokens[k].allSatisfy({ "<>=!~^".contains($0) }), k + 1 < tokens.count {
                merged.append(tokens[k] + tokens[k + 1]); k += 2
            } else {
                merged.append(tokens[k]); k += 1
            }
        }
        tokens = merged
        k = 0
        while k < tokens.count {
            if k + 2 < tokens.count && tokens[k + 1] == "-" {
                set = try set.intersection(try composerHyphen(tokens[k], tokens[k + 2], original: original), ecosystem: .composer)
                k += 3
            } else {
                set = try set.intersection(try composerSingle(tokens[k], original: original), ecosystem: .composer)
                k += 1
            }
        }
        return set
    }

    private static func normalize(_ v: String, _ original: String) throws(VersionParseError) -> String {
        guard let n = ComposerVersion.normalize(v) else { throw VersionParseError(original, "invalid version \"\(v)\"") }
        return n
    }

    /// Composer's `/-<modifier>$/` test on the lower-cased constraint. That regex is
    /// case-sensitive and spells `RC` in upper case, so `<1.0-rc1` still gets `-dev` appended.
    private static func endsWithModifier(_ raw: String) -> Bool {
        let lower = Array(raw.lowercased().utf8)
        for (i, c) in lower.enumerated() where c == UInt8(ascii: "-") {
            if ComposerVersion.modifier(lower, i + 1, allowRC: false) != nil { return true }
        }
        return false
    }

    private static func hasStability(_ v: String) -> Bool {
        let n = ComposerVersion.normalize(v) ?? ""
        return n.contains("-")
    }

    /// Leading numeric parts (`v1.2.3` -> ["1","2","3"]) and whatever follows them.
    private static func numericParts(_ v: String) -> ([String], Substring) {
        var s = Substring(v)
        if let f = s.first, f == "v" || f == "V" { s = s.dropFirst() }
        var parts: [String] = []
        while let d = s.firstIndex(where: { !("0"..."9").contains($0) }) ?? (s.isEmpty ? nil : s.endIndex), d > s.startIndex, parts.count < 4 {
            parts.append(String(s[..<d]))
            s = s[d...]
            if s.first == ".", s.dropFirst().first.map({ ("0"..."9").contains($0) }) == true { s = s.dropFirst() } else { break }
        }
        return (parts, s)
    }

    /// manipulateVersionString: bump the part at `position` (1-based) and zero the rest.
    private static func bumped(_ parts: [String], position: Int, increment: Bool) -> String {
        var p = parts + Array(repeating: "0", count: max(0, 4 - parts.count))
        for i in 0..<4 {
            if i + 1 > position { p[i] = "0" } else if i + 1 == position, increment { p[i] = ASCII.increment(ASCII.stripDigitsLeadingZeros(Substring(p[i]))) }
        }
        return p.joined(separator: ".")
    }

    private static func composerHyphen(_ from: String, _ to: String, original: String) throws(VersionParseError) -> VersionRange {
        let low = try normalize(from, original) + (hasStability(from) ? "" : "-dev")
        let (toParts, toRest) = numericParts(to)
        _ = try normalize(to, original)
        if toParts.count >= 3 || !toRest.isEmpty {
            return VersionRange([Interval(lower: Bound(low, inclusive: true), upper: Bound(try normalize(to, original), inclusive: true))])
        }
        let high = bumped(toParts, position: toParts.count <= 1 ? 1 : 2, increment: true) + "-dev"
        return VersionRange([Interval(lower: Bound(low, inclusive: true), upper: Bound(high, inclusive: false))])
    }

    private static func composerSingle(_ raw: String, original: String) throws(VersionParseError) -> VersionRange {
        var c = raw
        // Stability flags (`@dev`) only affect which packages Composer installs, not ordering.
        if let at = c.lastIndex(of: "@") { c = String(c[..<at]) }
        if c.isEmpty || ["*", "x", "X", "*.*", "x.x"].contains(c) || c.hasPrefix("*") { return .any }
        if c.hasPrefix("~") && !c.hasPrefix("~>") || c.hasPrefix("~>") {
            let body = String(c.dropFirst(c.hasPrefix("~>") ? 2 : 1))
            let (parts, rest) = numericParts(body)
            guard !parts.isEmpty else { throw VersionParseError(original, "invalid tilde constraint") }
            var position = parts.count
            if rest.lowercased().hasSuffix("dev") { position += 1 }
            let low = try normalize(body, original) + (hasStability(body) ? "" : "-dev")
            let high = bumped(parts, position: max(1, position - 1), increment: true) + "-dev"
            return VersionRange([Interval(lower: Bound(low, inclusive: true), upper: Bound(high, inclusive: false))])
        }
        if c.hasPrefix("^") {
            let body = String(c.dropFirst())
            let (parts, _) = numericParts(body)
            guard !parts.isEmpty else { throw VersionParseError(original, "invalid caret constraint") }
            let position: Int
            if ASCII.stripDigitsLeadingZeros(Substring(parts[0])) != "0" || parts.count < 2 { position = 1 }
            else if ASCII.stripDigitsLeadingZeros(Substring(parts[1])) != "0" || parts.count < 3 { position = 2 }
            else { position = 3 }
            let low = try normalize(body, original) + (hasStability(body) ? "" : "-dev")
            let high = bumped(parts, position: position, increment: true) + "-dev"
            return VersionRange([Interval(lower: Bound(low, inclusive: true), upper: Bound(high, inclusive: false))])
        }
        // Wildcards: 1.*, 1.2.x
        let (parts, rest) = numericParts(c)
        if !parts.isEmpty, !rest.isEmpty, rest.dropFirst().allSatisfy({ "xX*.".contains($0) }), rest.first == ".",
           rest.contains(where: { "xX*".contains($0) }) {
            let low = bumped(parts, position: parts.count, increment: false) + "-dev"
            let high = bumped(parts, position: parts.count, increment: true) + "-dev"
            if low == "0.0.0.0-dev" { return VersionRange([Interval(upper: Bound(high, inclusive: false))]) }
            return VersionRange([Interval(lower: Bound(low, inclusive: true), upper: Bound(high, inclusive: false))])
        }
        var op = "="
        var body = Substring(c)
        for candidate in ["<>", "!=", ">=", "<=", "==", ">", "<", "="] where body.hasPrefix(candidate) {
            op = candidate
            body = ASCII.trimmed(String(body.dropFirst(candidate.count)))
            break
        }
        var v = try normalize(String(body), original)
        if (op == "<" || op == ">=") && !endsWithModifier(String(body)) && !body.hasPrefix("dev-") { v += "-dev" }
        switch op {
        case "<>", "!=": return VersionRange([.lessThan(v), .greaterThan(v)])
        case ">=": return VersionRange([.atLeast(v)])
        case "<=": return VersionRange([.atMost(v)])
        case ">": return VersionRange([.greaterThan(v)])
        case "<": return VersionRange([.lessThan(v)])
        default: return VersionRange([.exactly(v)])
        }
    }
}
