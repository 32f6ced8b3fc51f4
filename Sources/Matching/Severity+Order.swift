/// Severity labels in order, for sorting, filtering and "the highest severity it removes".
public enum SeverityLevel: String, CaseIterable, Sendable, Comparable {
    case unknown = "UNKNOWN", none = "NONE", low = "LOW", medium = "MEDIUM", high = "HIGH", critical = "CRITICAL"

    public init(label: String?) {
        self = label.flatMap { SeverityLevel(rawValue: $0.uppercased()) } ?? .unknown
    }

    /// Position in the order above, lowest first (a switch: sorting thousands of findings
    /// compares severities tens of thousands of times).
    public var rank: Int {
        switch self {
        case .unknown: 0
        case .none: 1
        case .low: 2
        case .medium: 3
        case .high: 4
        case .critical: 5
        }
    }

    public static func < (a: SeverityLevel, b: SeverityLevel) -> Bool { a.rank < b.rank }
}
