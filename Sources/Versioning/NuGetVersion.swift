/// A NuGet package version ordered like NuGet.Versioning's NuGetVersion with the default
/// comparer: up to four numeric parts (missing ones are 0), pre-release labels compared
/// case-insensitively (numeric labels numerically, below alphanumeric ones), metadata ignored.
public struct NuGetVersion: EcosystemVersion {
    /// Four numeric parts as digit strings without leading zeros.
    public let parts: [String]
    public let releaseLabels: [String]
    public let metadata: String?

    public var isPrerelease: Bool { !releaseLabels.isEmpty }

    public init(_ string: String) throws(VersionParseError) {
        var s = ASCII.trimmed(string)
        if s.isEmpty { throw VersionParseError(string, "version string is empty") }
        if let plus = s.firstIndex(of: "+") {
            let m = s[s.index(after: plus)...]
            guard !m.isEmpty, m.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(SemanticVersion.isIdentifier) else {
                throw VersionParseError(string, "invalid metadata")
            }
            metadata = String(m)
            s = s[..<plus]
        } else {
            metadata = nil
        }
        var labels: [String] = []
        if let dash = s.firstIndex(of: "-") {
            labels = s[s.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            s = s[..<dash]
            for l in labels {
                guard SemanticVersion.isIdentifier(l) else { throw VersionParseError(string, "invalid release label \"\(l)\"") }
                if ASCII.isAllDigits(l.utf8) && l.count > 1 && l.hasPrefix("0") { throw VersionParseError(string, "numeric release label with leading zero") }
            }
        }
        let nums = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(nums.count), nums.allSatisfy({ ASCII.isAllDigits($0.utf8) }) else {
            throw VersionParseError(string, "expected 1 to 4 numeric parts")
        }
        parts = nums.map(ASCII.stripDigitsLeadingZeros) + Array(repeating: "0", count: 4 - nums.count)
        releaseLabels = labels
    }

    public func compare(to o: NuGetVersion) -> Ordering {
        for (a, b) in zip(parts, o.parts) {
            let r = ASCII.compareDigits(a.utf8, b.utf8)
            if r != .equal { return r }
        }
        return SemanticVersion.comparePrerelease(releaseLabels, o.releaseLabels, caseInsensitive: true)
    }

    /// NuGet's normalised string: three parts, the fourth only when non-zero.
    public var description: String {
        (parts[3] == "0" ? parts.prefix(3) : parts[...]).joined(separator: ".")
            + (releaseLabels.isEmpty ? "" : "-" + releaseLabels.joined(separator: "."))
            + (metadata.map { "+" + $0 } ?? "")
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }
}
