/// Cargo version requirements as the `semver` crate reads them: comma-separated comparators,
/// a bare version means `^`, `*`/`1.*` wildcards, and npm's rule for admitting pre-releases.
extension VersionRange {
    public static func cargo(_ text: String) throws(VersionParseError) -> VersionRange {
        let trimmed = ASCII.trimmed(text)
        if trimmed.isEmpty { throw VersionParseError(text, "empty requirement") }
        var set = VersionRange([Interval(prereleaseGate: [])])
        for piece in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            set = try set.intersection(try cargoComparator(ASCII.trimmed(String(piece)), original: text), ecosystem: .cargo)
        }
        return set
    }

    private static func cargoComparator(_ text: Substring, original: String) throws(VersionParseError) -> VersionRange {
        var s = text
        var op = "^"
        for candidate in [">=", "<=", ">", "<", "=", "~", "^"] where s.hasPrefix(candidate) {
            op = candidate
            s = ASCII.trimmed(String(s.dropFirst(candidate.count)))
            break
        }
        if s.isEmpty { throw VersionParseError(original, "missing version") }
        if s.first == "v" { throw VersionParseError(original, "unexpected 'v'") }
        let v = try PartialVersion(s, original: original)
        if v.major == nil { return op == "^" || op == ">=" || op == "<=" || op == "=" ? VersionRange([Interval(prereleaseGate: [])]) : .none }
        let gate: Set<String> = v.gateCore.map { [$0] } ?? []
        func interval(_ lower: String?, _ upper: String?, lowerInclusive: Bool = true, upperInclusive: Bool = false) -> VersionRange {
            VersionRange([Interval(lower: lower.map { Bound($0, inclusive: lowerInclusive) },
                                   upper: upper.map { Bound($0, inclusive: upperInclusive) },
                                   prereleaseGate: gate)])
        }
        let M = v.major ?? "0"
        let next = { (s: String) in ASCII.increment(s) }
        // Wildcards behave like the partial version with `=` (or `^` when written bare).
        if s.contains(where: { $0 == "*" || $0 == "x" || $0 == "X" }) && op == "^" { op = "=" }
        switch op {
        case "=":
            guard let m = v.minor else { return interval("\(M).0.0", "\(next(M)).0.0-0") }
            guard v.patch != nil else { return interval("\(M).\(m).0", "\(M).\(next(m)).0-0") }
            return interval(v.full, v.full, upperInclusive: true)
        case ">":
            guard let m = v.minor else { return interval("\(next(M)).0.0", nil) }
            guard v.patch != nil else { return interval("\(M).\(next(m)).0", nil) }
            return interval(v.full, nil, lowerInclusive: false)
        case ">=":
            return interval(v.isFull ? v.full : "\(M).\(v.minor ?? "0").0", nil)
        case "<":
            return interval(nil, v.isFull ? v.full : "\(M).\(v.minor ?? "0").0-0")
        case "<=":
            guard let m = v.minor else { return interval(nil, "\(next(M)).0.0-0") }
            guard v.patch != nil else { return interval(nil, "\(M).\(next(m)).0-0") }
            return interval(nil, v.full, upperInclusive: true)
        case "~":
            guard let m = v.minor else { return interval("\(M).0.0", "\(next(M)).0.0-0") }
            return interval(v.isFull ? v.full : "\(M).\(m).0", "\(M).\(next(m)).0-0")
        default:  // caret
            guard let m = v.minor else { return interval("\(M).0.0", "\(next(M)).0.0-0") }
            guard let p = v.patch else {
                return M == "0" ? interval("0.\(m).0", "0.\(next(m)).0-0") : interval("\(M).\(m).0", "\(next(M)).0.0-0")
            }
            if M != "0" { return interval(v.full, "\(next(M)).0.0-0") }
            if m != "0" { return interval(v.full, "0.\(next(m)).0-0") }
            return interval(v.full, "0.0.\(next(p))-0")
        }
    }
}
