import VulnDB

/// Picks the severity to report from the statements of several sources, in a configurable order
/// of source classes: by default the distribution's own rating first (it knows how the package
/// was built and configured), then GitHub's advisory database, then NVD-style CVE records.
public struct SeverityChoice: Sendable {
    public static let defaultOrder = ["distro", "ghsa", "nvd", "other"]
    public var order: [String]

    public init(order: [String] = SeverityChoice.defaultOrder) {
        self.order = order
    }

    /// The class of a data-set name as the importers record it.
    static func sourceClass(_ source: String) -> String {
        let s = source.lowercased()
        if s.hasPrefix("debian") || s.hasPrefix("ubuntu") || s.hasPrefix("alpine") || s.hasPrefix("redhat")
            || s.hasPrefix("rocky") || s.hasPrefix("alma") || s.hasPrefix("suse") || s.hasPrefix("amazon") { return "distro" }
        if s.contains("ghsa") || s.contains("github") { return "ghsa" }
        if s.hasPrefix("cve5") || s.contains("nvd") { return "nvd" }
        return "other"
    }

    struct Chosen {
        var label: String
        var source: String?
        var score: Double?
        var vector: String?
    }

    func choose(_ severities: [Severity]) -> Chosen {
        func rank(_ severity: Severity) -> Int { order.firstIndex(of: Self.sourceClass(severity.source)) ?? order.count }
        let ranked = severities.filter { $0.label != nil || $0.score != nil }.sorted { a, b in
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            // Within one source: CVSS over a bare word, newer CVSS over older.
            return typeRank(a.type) > typeRank(b.type)
        }
        guard let best = ranked.first else { return Chosen(label: SeverityLevel.unknown.rawValue) }
        let label = best.label ?? best.score.map { Severity.labelV3($0) } ?? SeverityLevel.unknown.rawValue
        // The CVSS figures come from the best-ranked statement that has them.
        let cvss = ranked.first { $0.type != .qualitative && $0.score != nil }
        return Chosen(label: label.uppercased(), source: best.source, score: cvss?.score, vector: cvss?.vector)
    }

    private func typeRank(_ type: SeverityType) -> Int {
        switch type {
        case .cvssV4: return 3
        case .cvssV3: return 2
        case .cvssV2: return 1
        case .qualitative: return 0
        }
    }
}
