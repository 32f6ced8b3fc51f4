import Foundation

import Matching

/// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for code-scanning dashboards:
/// one rule per vulnerability, one result per finding, located at the file the package was found
/// in. `security-severity` carries the CVSS score, which GitHub uses to rank results.
struct SARIFLog: Encodable {
    struct Message: Encodable { var text: String }
    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var helpUri: String?
        var help: Message
        var properties: RuleProperties
    }
    struct RuleProperties: Encodable {
        var securitySeverity: String
        var tags: [String]
        enum CodingKeys: String, CodingKey { case securitySeverity = "security-severity", tags }
    }
    struct Driver: Encodable {
        var name = "drydock"
        var version = Reports.toolVersion
        var informationUri = "https://github.com/drydock-registry/drydock"
        var rules: [Rule]
    }
    struct Tool: Encodable { var driver: Driver }
    struct ArtifactLocation: Encodable { var uri: String }
    struct PhysicalLocation: Encodable { var artifactLocation: ArtifactLocation }
    struct Location: Encodable { var physicalLocation: PhysicalLocation; var message: Message? }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
        var properties: [String: String]
    }
    struct Run: Encodable { var tool: Tool; var results: [Result] }

    var version = "2.1.0"
    var schema = "https://json.schemastore.org/sarif-2.1.0.json"
    var runs: [Run]

    enum CodingKeys: String, CodingKey { case version, schema = "$schema", runs }

    init(_ reports: [ScanReport]) {
        var rules: [Rule] = []
        var ruleIndex: [String: Int] = [:]
        var results: [Result] = []
        for report in reports {
            for finding in report.findings {
                if ruleIndex[finding.vulnerabilityID] == nil {
                    ruleIndex[finding.vulnerabilityID] = rules.count
                    let title = finding.title ?? finding.vulnerabilityID
                    rules.append(Rule(
                        id: finding.vulnerabilityID, name: finding.vulnerabilityID.replacingOccurrences(of: "-", with: ""),
                        shortDescription: Message(text: title), fullDescription: Message(text: title),
                        helpUri: finding.references.first,
                        help: Message(text: "\(finding.vulnerabilityID) (\(finding.severity)): \(title)"),
                        properties: RuleProperties(securitySeverity: String(format: "%.1f", finding.cvssScore ?? Self.nominalScore(finding.severity)),
                                                   tags: ["vulnerability", "security", finding.severity])))
                }
                var text = "\(finding.package.name) \(finding.package.version) is affected by \(finding.vulnerabilityID) (\(finding.severity), \(finding.status.rawValue))."
                if let fixed = finding.fixedVersion { text += " Fixed in \(fixed)." }
                text += " Remediation: \(finding.remediation)"
                let uri = finding.package.location.hasPrefix("/") ? String(finding.package.location.dropFirst()) : finding.package.location
                results.append(Result(
                    ruleId: finding.vulnerabilityID, ruleIndex: ruleIndex[finding.vulnerabilityID]!,
                    level: Self.level(finding.severity), message: Message(text: text),
                    locations: [Location(physicalLocation: PhysicalLocation(artifactLocation: ArtifactLocation(uri: uri)),
                                         message: Message(text: "\(report.artifact.source)\(report.artifact.platform.map { " (\($0))" } ?? "")"))],
                    properties: ["purl": finding.package.purl ?? "", "layerDigest": finding.package.layerDigest ?? ""]))
            }
        }
        runs = [Run(tool: Tool(driver: Driver(rules: rules)), results: results)]
    }

    static func level(_ severity: String) -> String {
        switch SeverityLevel(label: severity) {
        case .critical, .high: return "error"
        case .medium: return "warning"
        default: return "note"
        }
    }

    static func nominalScore(_ severity: String) -> Double {
        switch SeverityLevel(label: severity) {
        case .critical: return 9.5
        case .high: return 8.0
        case .medium: return 5.5
        case .low: return 2.0
        default: return 0.0
        }
    }
}
