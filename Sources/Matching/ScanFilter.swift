import Foundation

/// A finding left out of a report, and why.
public struct SuppressedFinding: Codable, Sendable, Hashable {
    public var vulnerabilityID: String
    public var package: String
    public var version: String
    public var reason: String
}

/// What a user asked to see: severities, fixable only, and suppressions with a justification
/// (an ignore file) or a vendor statement (OpenVEX).
public struct ScanFilter: Sendable {
    public var severities: Set<SeverityLevel>?
    public var ignoreUnfixed = false
    public var ignoreRules: [IgnoreRule] = []
    public var vex: [VEXStatement] = []

    public init() {}

    public func apply(_ findings: [Finding], now: Date = Date()) -> (kept: [Finding], suppressed: [SuppressedFinding], warnings: [String]) {
        var kept: [Finding] = []
        var suppressed: [SuppressedFinding] = []
        var warnings: [String] = []
        for rule in ignoreRules where rule.isExpired(now) {
            warnings.append("ignore rule for \(rule.id) expired on \(rule.expires.map(IgnoreRule.format) ?? "?"): it no longer applies")
        }
        for finding in findings {
            func drop(_ reason: String) {
                suppressed.append(SuppressedFinding(vulnerabilityID: finding.vulnerabilityID, package: finding.package.name,
                                                    version: finding.package.version, reason: reason))
            }
            let ids = Set([finding.vulnerabilityID] + finding.aliases)
            if let rule = ignoreRules.first(where: { !$0.isExpired(now) && $0.matches(ids: ids, package: finding.package.name) }) {
                drop("ignored: \(rule.justification)")
            } else if let statement = vex.first(where: { $0.suppresses(ids: ids, purl: finding.package.purl) }) {
                drop("VEX \(statement.status)\(statement.justification.map { ": \($0)" } ?? "")")
            } else if ignoreUnfixed && finding.status != .fixed {
                continue  // not reported at all, as --ignore-unfixed means in Trivy
            } else if let severities, !severities.contains(SeverityLevel(label: finding.severity)) {
                continue
            } else {
                kept.append(finding)
            }
        }
        return (kept, suppressed, warnings)
    }
}

/// One entry of an ignore file:
///
/// ```yaml
/// ignore:
///   - id: CVE-2018-18074          # or any alias (GHSA-…, PYSEC-…)
///     package: requests           # optional: only in this package
///     justification: the proxy code path is not used   # required
///     expires: 2027-06-30         # optional: stops applying after this day
/// ```
public struct IgnoreRule: Sendable, Hashable {
    public var id: String
    public var package: String?
    public var justification: String
    public var expires: Date?

    func isExpired(_ now: Date) -> Bool { expires.map { $0 < now } ?? false }

    func matches(ids: Set<String>, package name: String) -> Bool {
        ids.contains(id) && (package.map { $0 == name } ?? true)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
