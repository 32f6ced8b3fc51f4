import Foundation

public enum SeverityType: String, Codable, Sendable, Equatable {
    case cvssV2, cvssV3, cvssV4, qualitative
}

/// One severity statement from one source.
///
/// For CVSS types `vector` is the vector string (when known) and `score` the base score (computed
/// from the vector for v2/v3, as given for v4). For `qualitative`, `vector` holds the source's
/// own word (e.g. "MODERATE", "unimportant") and `label` the normalised label.
public struct Severity: Codable, Sendable, Equatable, Hashable {
    public var source: String
    public var type: SeverityType
    public var vector: String?
    public var score: Double?
    /// NONE/LOW/MEDIUM/HIGH/CRITICAL.
    public var label: String?

    public init(source: String, type: SeverityType, vector: String? = nil, score: Double? = nil, label: String? = nil) {
        self.source = source
        self.type = type
        self.vector = vector
        self.score = score
        self.label = label
    }

    /// Builds a CVSS severity from a vector string, computing the base score where the version
    /// allows (v2, v3.0, v3.1). Returns nil when `vector` is not a CVSS vector.
    public static func cvss(vector: String, source: String, givenScore: Double? = nil) -> Severity? {
        let v = vector.trimmingCharacters(in: .whitespacesAndNewlines)
        if v.hasPrefix("CVSS:4.") {
            return Severity(source: source, type: .cvssV4, vector: v, score: givenScore, label: givenScore.map(labelV3))
        }
        if v.hasPrefix("CVSS:3.") {
            let score = CVSS.v3BaseScore(v) ?? givenScore
            return Severity(source: source, type: .cvssV3, vector: v, score: score, label: score.map(labelV3))
        }
        if v.contains("AV:"), v.contains("Au:") {
            let score = CVSS.v2BaseScore(v) ?? givenScore
            return Severity(source: source, type: .cvssV2, vector: v, score: score, label: score.map(labelV2))
        }
        return nil
    }

    /// Builds a CVSS severity from a bare score (no vector), e.g. rubysec `cvss_v3: 7.5`.
    public static func score(_ score: Double, type: SeverityType, source: String) -> Severity {
        Severity(source: source, type: type, vector: nil, score: score,
                 label: type == .cvssV2 ? labelV2(score) : labelV3(score))
    }

    /// A qualitative severity from a word; nil when the word carries no severity.
    public static func qualitative(_ word: String, source: String) -> Severity? {
        guard let label = normalizedLabel(word) else { return nil }
        return Severity(source: source, type: .qualitative, vector: word, score: nil, label: label)
    }

    /// CVSS v3/v4 qualitative rating bands.
    public static func labelV3(_ s: Double) -> String {
        switch s {
        case ..<0.1: return "NONE"
        case ..<4.0: return "LOW"
        case ..<7.0: return "MEDIUM"
        case ..<9.0: return "HIGH"
        default: return "CRITICAL"
        }
    }

    /// NVD's CVSS v2 bands.
    public static func labelV2(_ s: Double) -> String {
        switch s {
        case ..<4.0: return "LOW"
        case ..<7.0: return "MEDIUM"
        default: return "HIGH"
        }
    }

    /// Maps the words advisories use to LOW/MEDIUM/HIGH/CRITICAL (NONE for "none").
    /// Debian's `unimportant` and `negligible` map to LOW (the lowest label we have).
    public static func normalizedLabel(_ word: String) -> String? {
        switch word.trimmingCharacters(in: .whitespaces).lowercased() {
        case "critical": return "CRITICAL"
        case "high", "important": return "HIGH"
        case "medium", "moderate": return "MEDIUM"
        case "low", "unimportant", "negligible", "minor": return "LOW"
        case "none": return "NONE"
        default: return nil
        }
    }
}
