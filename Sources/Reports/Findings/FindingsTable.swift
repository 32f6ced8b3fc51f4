import Foundation
import Matching

/// The human report: a summary, one line per remediation (the actions), then the findings grouped
/// by severity. ANSI colour only when writing to a terminal.
enum FindingsTable {
    static func render(_ reports: [ScanReport], colour: Bool) -> String {
        func paint(_ text: String, _ severity: String) -> String {
            guard colour else { return text }
            let code = switch SeverityLevel(label: severity) {
            case .critical: "1;31"
            case .high: "31"
            case .medium: "33"
            case .low: "36"
            default: "37"
            }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        var out = ""
        for report in reports {
            let artifact = report.artifact
            let os = artifact.os.map { "\($0.family) \($0.version)" } ?? "unknown OS"
            out += "\(artifact.source)\(artifact.platform.map { " (\($0))" } ?? "") — \(os), \(artifact.packageCount) packages\n"
            let levels = SeverityLevel.allCases.reversed().filter { report.summary.bySeverity[$0.rawValue] != nil }
            let counts = levels.map { "\($0.rawValue): \(report.summary.bySeverity[$0.rawValue] ?? 0)" }.joined(separator: ", ")
            out += "\(report.summary.total) vulnerabilities (\(counts.isEmpty ? "none" : counts)), \(report.summary.fixable) fixable\n"
            for warning in report.warnings.prefix(10) { out += "warning: \(warning)\n" }
            if !report.remediations.isEmpty {
                out += "\nRemediation (one action per package, most severe first):\n"
                // A package installed in several places (a virtualenv and the system site-packages)
                // needs one action per place: say which place each line is about.
                var places: [String: Int] = [:]
                for remediation in report.remediations { places["\(remediation.package.name) \(remediation.package.version)", default: 0] += 1 }
                for remediation in report.remediations {
                    let count = remediation.fixes.count + remediation.unfixed.count
                    let name = "\(remediation.package.name) \(remediation.package.version)"
                    let place = (places[name] ?? 0) > 1 ? " in \(Self.environment(of: remediation.package.location))" : ""
                    out += "  " + paint(remediation.highestSeverity.padding(toLength: 8, withPad: " ", startingAt: 0), remediation.highestSeverity)
                    out += " \(name)\(place) (\(count) vulnerabilit\(count == 1 ? "y" : "ies")): \(remediation.action)\n"
                    if let origin = remediation.origin { out += "           \(origin)\n" }
                }
            }
            for level in SeverityLevel.allCases.reversed() {
                let group = report.findings.filter { SeverityLevel(label: $0.severity) == level }
                guard !group.isEmpty else { continue }
                out += "\n" + paint("\(level.rawValue) (\(group.count))", level.rawValue) + "\n"
                var rows = [["ID", "PACKAGE", "INSTALLED", "FIXED", "STATUS", "TITLE"]]
                for finding in group {
                    let title = finding.title.map { $0.count > 60 ? String($0.prefix(57)) + "…" : $0 } ?? ""
                    rows.append([finding.vulnerabilityID + (finding.knownExploited ? " (KEV)" : ""), finding.package.name,
                                 finding.package.version, finding.fixedVersion ?? "", finding.status.rawValue,
                                 title.replacingOccurrences(of: "\n", with: " ")])
                }
                out += TextTable.format(rows)
            }
            if !report.suppressed.isEmpty {
                out += "\n\(report.suppressed.count) suppressed:\n"
                for item in report.suppressed { out += "  \(item.vulnerabilityID) \(item.package) \(item.version): \(item.reason)\n" }
            }
            out += "\n"
        }
        return out
    }

    /// The directory that names where a package lives: its site-packages (or node_modules…)
    /// directory rather than its metadata file.
    static func environment(of location: String) -> String {
        for marker in ["/site-packages/", "/dist-packages/", "/node_modules/"] {
            if let range = location.range(of: marker) { return String(location[..<range.upperBound].dropLast()) }
        }
        return location
    }
}
