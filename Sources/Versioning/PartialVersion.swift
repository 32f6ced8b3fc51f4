/// `1`, `1.2`, `1.2.x`, `1.2.3-pre+build` as written in npm and Cargo ranges: missing or
/// wildcard parts are nil.
struct PartialVersion {
    var major: String?
    var minor: String?
    var patch: String?
    var prerelease: [String] = []

    var isFull: Bool { major != nil && minor != nil && patch != nil }

    static func isWildcard(_ s: Substring) -> Bool { s == "x" || s == "X" || s == "*" }

    /// Parses after `v`/`=` prefixes have been removed. Wildcard parts make later ones wildcards too.
    init(_ text: Substring, original: String) throws(VersionParseError) {
        var s = text
        if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
        var pre: [String] = []
        // A '-' after three parts starts the pre-release; parts themselves never contain '-'.
        let firstParts = s.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        if firstParts.count == 3, let dash = firstParts[2].firstIndex(of: "-") {
            let p = firstParts[2][firstParts[2].index(after: dash)...]
            pre = p.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard pre.allSatisfy(SemanticVersion.isIdentifier) else { throw VersionParseError(original, "invalid pre-release") }
            s = s[..<dash]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { throw VersionParseError(original, "expected at most three version parts") }
        var values: [String?] = []
        var wild = false
        for p in parts {
            if Self.isWildcard(p) { wild = true; values.append(nil); continue }
            guard ASCII.isAllDigits(p.utf8) else { throw VersionParseError(original, "invalid version part \"\(p)\"") }
            values.append(wild ? nil : ASCII.stripDigitsLeadingZeros(p))
        }
        while values.count < 3 { values.append(nil) }
        major = values[0]; minor = values[1]; patch = values[2]
        prerelease = isFull ? pre : []
    }

    func version(_ m: String, _ n: String, _ p: String, pre: [String] = []) -> String {
        "\(m).\(n).\(p)" + (pre.isEmpty ? "" : "-" + pre.joined(separator: "."))
    }

    var full: String { version(major ?? "0", minor ?? "0", patch ?? "0", pre: prerelease) }
    /// Core for the pre-release gate, only when this comparator names a pre-release.
    var gateCore: String? {
        guard let major, let minor, let patch, !prerelease.isEmpty else { return nil }
        return "\(major).\(minor).\(patch)"
    }
}
