/// Interval notation shared by Maven and NuGet: `[1.0,2.0)`, `(,1.0]`, `[1.0,)`, `[1.0]`,
/// and (Maven only) comma-separated unions such as `(,1.0],[1.2,)`.
extension VersionRange {
    /// Maven version ranges. A bare version (Maven's "soft requirement", which Maven treats as
    /// matching anything) is read as an exact version, which is what advisories mean by it.
    public static func maven(_ text: String) throws(VersionParseError) -> VersionRange {
        let s = ASCII.trimmed(text)
        if s.isEmpty { throw VersionParseError(text, "empty range") }
        guard s.first == "[" || s.first == "(" else {
            _ = try MavenVersion(String(s))
            return VersionRange([.exactly(String(s))])
        }
        var out: [Interval] = []
        var rest = s
        while !rest.isEmpty {
            guard let close = rest.firstIndex(where: { $0 == "]" || $0 == ")" }) else { throw VersionParseError(text, "unbalanced range") }
            out.append(try bracketInterval(rest[...close], original: text, ecosystem: .maven))
            rest = ASCII.trimmed(String(rest[rest.index(after: close)...]))
            if rest.first == "," { rest = ASCII.trimmed(String(rest.dropFirst())) }
            if let f = rest.first, f != "[" && f != "(" { throw VersionParseError(text, "expected '[' or '('") }
        }
        return VersionRange(out)
    }

    /// NuGet version ranges: a bare version is a minimum (`1.0` means `>= 1.0`).
    /// Floating versions (`1.*`) are not supported.
    public static func nuget(_ text: String) throws(VersionParseError) -> VersionRange {
        let s = ASCII.trimmed(text)
        if s.isEmpty { throw VersionParseError(text, "empty range") }
        guard s.first == "[" || s.first == "(" else {
            _ = try NuGetVersion(String(s))
            return VersionRange([.atLeast(String(s))])
        }
        return VersionRange([try bracketInterval(s, original: text, ecosystem: .nuget)])
    }

    private static func bracketInterval(_ s: Substring, original: String, ecosystem: Ecosystem) throws(VersionParseError) -> Interval {
        guard let open = s.first, let close = s.last, s.count >= 2 else { throw VersionParseError(original, "malformed interval") }
        let body = s.dropFirst().dropLast()
        let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { ASCII.trimmed(String($0)) }
        let lowerInc = open == "[", upperInc = close == "]"
        if parts.count == 1 {
            guard lowerInc && upperInc, !parts[0].isEmpty else { throw VersionParseError(original, "a single version must be written [v]") }
            _ = try ecosystem.parse(String(parts[0]))
            return .exactly(String(parts[0]))
        }
        guard parts.count == 2 else { throw VersionParseError(original, "an interval has two ends") }
        var i = Interval()
        if !parts[0].isEmpty {
            _ = try ecosystem.parse(String(parts[0]))
            i.lower = Bound(String(parts[0]), inclusive: lowerInc)
        }
        if !parts[1].isEmpty {
            _ = try ecosystem.parse(String(parts[1]))
            i.upper = Bound(String(parts[1]), inclusive: upperInc)
        }
        if let l = i.lower, let u = i.upper, try compare(l.version, u.version, in: ecosystem) == .greater {
            throw VersionParseError(original, "lower bound above upper bound")
        }
        return i
    }
}
