/// Plain comparator lists (`< 1.2.3`, `>= 1.0, < 2.0`) for ecosystems without a range syntax of
/// their own (dpkg, apk, rpm, Go) plus PEP 440 specifiers. Comma or blank separates comparators, all
/// of which must hold; dpkg's `<<`/`>>` and PEP 440's `~=`, `==X.*` and `===` are understood.
extension VersionRange {
    public static func operators(_ text: String, ecosystem: Ecosystem) throws(VersionParseError) -> VersionRange {
        let tokens = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        if tokens.isEmpty { throw VersionParseError(text, "empty range") }
        var merged: [String] = []
        var k = 0
        while k < tokens.count {
            if tokens[k].allSatisfy({ "<>=!~".contains($0) }), k + 1 < tokens.count {
                merged.append(tokens[k] + tokens[k + 1]); k += 2
            } else {
                merged.append(tokens[k]); k += 1
            }
        }
        var set = VersionRange.any
        for m in merged {
            set = try set.intersection(try comparator(m, ecosystem: ecosystem, original: text), ecosystem: ecosystem)
        }
        return set
    }

    private static func comparator(_ s: String, ecosystem: Ecosystem, original: String) throws(VersionParseError) -> VersionRange {
        var op = "="
        var body = Substring(s)
        for candidate in ["===", "<<", ">>", "<=", ">=", "==", "!=", "~=", "<", ">", "="] where body.hasPrefix(candidate) {
            op = candidate
            body = body.dropFirst(candidate.count)
            break
        }
        var v = String(body)
        if v.isEmpty { throw VersionParseError(original, "missing version after \(op)") }
        if ecosystem == .pep440 && (op == "==" || op == "!=") && v.hasSuffix(".*") {
            // Prefix match: ==1.2.* is [1.2.dev0, 1.3.dev0).
            let prefix = String(v.dropLast(2))
            let p = try PEP440Version(prefix)
            guard let last = p.release.last else { throw VersionParseError(original, "bad prefix") }
            let upper = (p.epoch != "0" ? "\(p.epoch)!" : "") + (p.release.dropLast() + [ASCII.increment(last)]).joined(separator: ".") + ".dev0"
            let inside = Interval(lower: Bound(prefix + ".dev0", inclusive: true), upper: Bound(upper, inclusive: false))
            if op == "==" { return VersionRange([inside]) }
            return VersionRange([Interval(upper: Bound(prefix + ".dev0", inclusive: false)), Interval(lower: Bound(upper, inclusive: true))])
        }
        if op == "~=" {
            guard ecosystem == .pep440 else { throw VersionParseError(original, "~= is a PEP 440 operator") }
            let p = try PEP440Version(v)
            guard p.release.count >= 2 else { throw VersionParseError(original, "~= needs at least two release parts") }
            let kept = Array(p.release.dropLast(2)) + [ASCII.increment(p.release[p.release.count - 2])]
            let upper = (p.epoch != "0" ? "\(p.epoch)!" : "") + kept.joined(separator: ".") + ".dev0"
            return VersionRange([Interval(lower: Bound(v, inclusive: true), upper: Bound(upper, inclusive: false))])
        }
        _ = try ecosystem.parse(v)
        if op == "===" { op = "=" }
        if op == "==" { op = "=" }
        switch op {
        case "=": return VersionRange([.exactly(v)])
        case "!=": return VersionRange([.lessThan(v), .greaterThan(v)])
        case "<", "<<": return VersionRange([.lessThan(v)])
        case ">", ">>": return VersionRange([.greaterThan(v)])
        case "<=": return VersionRange([.atMost(v)])
        case ">=": return VersionRange([.atLeast(v)])
        default:
            v = s
            throw VersionParseError(original, "unknown operator in \(v)")
        }
    }

    /// Parses `text` in the native range syntax of `ecosystem`.
    public static func parse(_ text: String, ecosystem: Ecosystem) throws(VersionParseError) -> VersionRange {
        switch ecosystem {
        case .npm, .semver: return try npm(text)
        case .cargo: return try cargo(text)
        case .maven: return try maven(text)
        case .nuget: return try nuget(text)
        case .rubygems: return try rubygems(text)
        case .composer: return try composer(text)
        case .dpkg, .apk, .rpm, .pep440, .go: return try operators(text, ecosystem: ecosystem)
        }
    }
}
