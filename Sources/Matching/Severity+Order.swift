/// Severity labels in order, for sorting, filtering and "the highest severity it removes".
public enum SeverityLevel: String, CaseIterable, Sendable, Comparable {
    case unknown = "UNKNOWN", none = "NONE", low = "LOW", medium = "MEDIUM", high = "HIGH", critical = "CRITICAL"

    public init(label: String?) {
        self = label.flatMap { SeverityLevel(rawValue: $0.uppercased()) } ?? .unknown
    }

    public static func < (a: SeverityLevel, b: SeverityLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
