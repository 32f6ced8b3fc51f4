/// Gem::Requirement: comma-separated `op version` pairs, all of which must hold.
/// `~> 2.2` means `>= 2.2` with a release below `3`, so pre-releases of 3 are excluded too.
extension VersionRange {
    public static func rubygems(_ text: String) throws(VersionParseError) -> VersionRange {
        var set = VersionRange.any
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            set = try set.intersection(try gemRequirement(ASCII.trimmed(String(piece)), original: text), ecosystem: .rubygems)
        }
        return set
    }

    private static func gemRequirement(_ s: Substring, original: String) throws(VersionParseError) -> VersionRange {
        var rest = s
        var op = "="
        for candidate in ["~>", ">=", "<=", "!=", "=", ">", "<"] where rest.hasPrefix(candidate) {
            op = candidate
            rest = ASCII.trimmed(String(rest.dropFirst(candidate.count)))
            break
        }
        if rest.isEmpty { throw VersionParseError(original, "missing version") }
        let text = String(rest)
        let v = try RubyGemsVersion(text)
        switch op {
        case "=": return VersionRange([.exactly(text)])
        case "!=": return VersionRange([.lessThan(text), .greaterThan(text)])
        case ">": return VersionRange([.greaterThan(text)])
        case "<": return VersionRange([.lessThan(text)])
        case ">=": return VersionRange([.atLeast(text)])
        case "<=": return VersionRange([.atMost(text)])
        default:
            // "A" is the smallest string segment, so "<bump>.A" is the first pre-release of the bump.
            let ceiling = v.bump.description + ".A"
            return VersionRange([Interval(lower: Bound(text, inclusive: true), upper: Bound(ceiling, inclusive: false))])
        }
    }
}
