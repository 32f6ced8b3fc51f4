import Foundation
import Matching

/// A subscription whose scanner mode is `external` has no scan of Drydock's own: its images'
/// findings are what the external scanners reported, stored like Drydock's (history, health,
/// exemptions, webhooks and usage work the same), each naming the scanner that found it.
/// Two scanners reporting the same vulnerability in the same package give two findings.
enum ExternalFindings {
    /// `match.namespace` of an external finding: `scanner:NAME`.
    static let namespacePrefix = "scanner:"

    /// The scanner a stored finding came from (`drydock` for Drydock's own).
    static func scanner(of finding: Finding) -> String {
        guard finding.match.kind == "external", finding.match.namespace.hasPrefix(namespacePrefix) else { return "drydock" }
        return String(finding.match.namespace.dropFirst(namespacePrefix.count))
    }

    /// One evaluation from the reports of every external scanner: completed when at least one
    /// answered (the others' failures in its warnings), failed when none did.
    static func evaluation(_ reports: [DefenderStore.ExternalReport]) -> DefenderStore.Evaluation {
        var findings: [Finding] = []
        var seen = Set<String>()
        var warnings: [String] = []
        var answered = 0
        for stored in reports {
            guard stored.status == "completed", let data = stored.report,
                  let report = try? JSONDecoder().decode(HarborScan.Report.self, from: data) else {
                warnings.append("\(stored.scanner): \(stored.message ?? "no report")")
                continue
            }
            answered += 1
            for vulnerability in report.vulnerabilities {
                let finding = Self.finding(vulnerability, scanner: stored.scanner)
                if seen.insert(StoredFinding.key(finding)).inserted { findings.append(finding) }
            }
        }
        guard answered > 0 else {
            let reason = reports.isEmpty ? "the subscription scans with external scanners only, and none is configured"
                : "no external scanner answered: " + warnings.joined(separator: "; ")
            return DefenderStore.Evaluation(findings: [], remediations: [], warnings: warnings, status: .failed, message: reason,
                                            databaseBuiltAt: nil)
        }
        return DefenderStore.Evaluation(findings: findings, remediations: [], warnings: warnings, status: .completed,
                                        message: warnings.isEmpty ? nil : "some external scanners did not answer: " + warnings.joined(separator: "; "),
                                        databaseBuiltAt: nil)
    }

    static func finding(_ vulnerability: HarborScan.Vulnerability, scanner: String) -> Finding {
        let severity = SeverityLevel(label: vulnerability.severity.uppercased()).rawValue
        let fix = vulnerability.fix_version.flatMap { $0.isEmpty ? nil : $0 }
        let package = FindingPackage(name: vulnerability.package, version: vulnerability.version, ecosystem: "unknown",
                                     location: "reported by \(scanner)")
        return Finding(
            vulnerabilityID: vulnerability.id, aliases: [], package: package, status: fix == nil ? .affected : .fixed,
            fixedVersion: fix, severity: severity, severitySource: scanner,
            cvssScore: vulnerability.cve3_score.flatMap(Double.init), cvssVector: vulnerability.cvss3_vector,
            title: vulnerability.description.map { String($0.prefix(300)) }, references: Array(vulnerability.links.prefix(20)),
            knownExploited: false,
            match: MatchDetails(namespace: namespacePrefix + scanner, key: vulnerability.package, version: vulnerability.version,
                                matched: "reported by the \(scanner) scanner", kind: "external"),
            remediation: fix.map { "upgrade \(vulnerability.package) to \($0)" } ?? "no fix reported by \(scanner)")
    }
}
