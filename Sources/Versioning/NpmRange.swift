/// npm range syntax as node-semver desugars it (without `includePrerelease`): `||` unions,
/// space-separated comparator sets, `^`, `~`, x-ranges, hyphen ranges, and the rule that a
/// pre-release only matches a set with a pre-release comparator on the same `major.minor.patch`.
extension VersionRange {
    public static func npm(_ text: String) throws(VersionParseError) -> VersionRange {
        var result = VersionRange.none
        for alternative in text.split(separator: "||", omittingEmptySubsequences: false) {
            result = result.union(try npmSet(alternative, original: text))
        }
        return result
    }

    private static func npmSet(_ text: Substring, original: String) throws(VersionParseError) -> VersionRange {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        var set = VersionRange([Interval(prereleaseGate: [])])
        if tokens.count == 3 && tokens[1] == "-" {
            let from = try PartialVersion(stripPrefix(tokens[0]), original: original)
            let to = try PartialVersion(stripPrefix(tokens[2]), original: original)
            var i = Interval(prereleaseGate: Set([from.gateCore, to.gateCore].compactMap { $0 }))
            if let m = from.major {
                i.lower = Bound(from.version(m, from.minor ?? "0", from.patch ?? "0", pre: from.prerelease), inclusive: true)
            }
            if let m = to.major {
                if let n = to.minor {
                    if let p = to.patch {
                        i.upper = Bound(to.version(m, n, p, pre: to.prerelease), inclusive: true)
                    } else {
                        i.upper = Bound(to.version(m, ASCII.increment(n), "0", pre: ["0"]), inclusive: false)
                    }
                } else {
                    i.upper = Bound(to.version(ASCII.increment(m), "0", "0", pre: ["0"]), inclusive: false)
                }
            }
            return try set.intersection(VersionRange([i]), ecosystem: .npm)
        }
        // node-semver lets an operator be separated from its version by blanks.
        var comparators: [String] = []
        var pendingOp = ""
        for t in tokens {
            if t.allSatisfy({ "<>=~^".contains($0) }) { pendingOp += t; continue }
            comparators.append(pendingOp + t)
            pendingOp = ""
        }
        if !pendingOp.isEmpty { throw VersionParseError(original, "operator without version") }
        for c in comparators {
            set = try set.intersection(try npmComparator(c, original: original), ecosystem: .npm)
        }
        return set
    }

    private static func stripPrefix(_ s: Substring) -> Substring {
        var t = s
        while let f = t.first, f == "=" || f == "v" || f == " " { t = t.dropFirst() }
        return t
    }

    private static func npmComparator(_ text: String, original: String) throws(VersionParseError) -> VersionRange {
        var s = Substring(text)
        var op = ""
        for candidate in ["~>", ">=", "<=", ">", "<", "=", "~", "^"] where s.hasPrefix(candidate) {
            op = candidate
            s = s.dropFirst(candidate.count)
            break
        }
        let v = try PartialVersion(stripPrefix(s), original: original)
        let gate: Set<String> = v.gateCore.map { [$0] } ?? []
        func interval(_ lower: String?, _ upper: String?, upperInclusive: Bool = false) -> VersionRange {
            VersionRange([Interval(lower: lower.map { Bound($0, inclusive: true) },
                                   upper: upper.map { Bound($0, inclusive: upperInclusive) },
                                   prereleaseGate: gate)])
        }
        guard let M = v.major else {
            // `*`, `x`, `>=*`: everything; `>*`, `<*`: nothing.
            return op == ">" || op == "<" ? .none : interval(nil, nil)
        }
        let next = { (s: String) in ASCII.increment(s) }
        switch op {
        case "^":
            guard let m = v.minor else { return interval("\(M).0.0", "\(next(M)).0.0-0") }
            guard let p = v.patch else {
                return M == "0" ? interval("\(M).\(m).0", "\(M).\(next(m)).0-0") : interval("\(M).\(m).0", "\(next(M)).0.0-0")
            }
            let low = v.full
            if M != "0" { return interval(low, "\(next(M)).0.0-0") }
            if m != "0" { return interval(low, "0.\(next(m)).0-0") }
            return interval(low, "0.0.\(next(p))-0")
        case "~", "~>":
            guard let m = v.minor else { return interval("\(M).0.0", "\(next(M)).0.0-0") }
            guard v.patch != nil else { return interval("\(M).\(m).0", "\(M).\(next(m)).0-0") }
            return interval(v.full, "\(M).\(next(m)).0-0")
        default:
            break
        }
        guard v.isFull else {
            let m = v.minor
            switch op {
            case "", "=":
                return m.map { interval("\(M).\($0).0", "\(M).\(next($0)).0-0") } ?? interval("\(M).0.0", "\(next(M)).0.0-0")
            case ">":
                return m.map { interval("\(M).\(next($0)).0", nil) } ?? interval("\(next(M)).0.0", nil)
            case ">=":
                return interval("\(M).\(m ?? "0").0", nil)
            case "<":
                return interval(nil, "\(M).\(m ?? "0").0-0")
            case "<=":
                return m.map { interval(nil, "\(M).\(next($0)).0-0") } ?? interval(nil, "\(next(M)).0.0-0")
            default:
                throw VersionParseError(original, "unknown operator \(op)")
            }
        }
        let full = v.full
        let b = Bound(full, inclusive: true)
        switch op {
        case "", "=": return VersionRange([Interval(lower: b, upper: b, prereleaseGate: gate)])
        case ">": return VersionRange([Interval(lower: Bound(full, inclusive: false), prereleaseGate: gate)])
        case ">=": return VersionRange([Interval(lower: b, prereleaseGate: gate)])
        case "<": return VersionRange([Interval(upper: Bound(full, inclusive: false), prereleaseGate: gate)])
        case "<=": return VersionRange([Interval(upper: b, prereleaseGate: gate)])
        default: throw VersionParseError(original, "unknown operator \(op)")
        }
    }
}
