import Analysis
import Matching

/// A CycloneDX 1.6 `vulnerabilities[]` entry for a finding, pointing at the component it affects.
struct CycloneDXVulnerability: Encodable {
    struct Source: Encodable { var name: String }
    struct Rating: Encodable {
        var source: Source?
        var score: Double?
        var severity: String
        var method: String?
        var vector: String?
    }
    struct Affect: Encodable { var ref: String }
    struct Property: Encodable { var name: String; var value: String }

    var bomRef: String
    var id: String
    var source: Source?
    var references: [Reference]?
    var ratings: [Rating]
    var description: String?
    var recommendation: String
    var affects: [Affect]
    var properties: [Property]
    struct Reference: Encodable { var id: String; var source: Source }

    enum CodingKeys: String, CodingKey {
        case bomRef = "bom-ref", id, source, references, ratings, description, recommendation, affects, properties
    }
}

extension CycloneDXDocument {
    /// A BOM with vulnerabilities: the inventories' components plus one vulnerability per finding.
    public init(_ inventories: [ImageInventory], reports: [ScanReport]) {
        self.init(inventories)
        var vulnerabilities: [CycloneDXVulnerability] = []
        for (imageIndex, (inventory, report)) in zip(inventories, reports).enumerated() {
            let prefix = inventories.count == 1 ? "" : "\(imageIndex + 1)-"
            var refs: [String: String] = [:]
            for (index, package) in inventory.packages.enumerated() {
                refs["\(package.purl ?? package.name)|\(package.location)"] = Self.reference(prefix: prefix, index: index)
            }
            for (index, finding) in report.findings.enumerated() {
                let ref = refs["\(finding.package.purl ?? finding.package.name)|\(finding.package.location)"] ?? "image"
                var severity = finding.severity.lowercased()
                if !["critical", "high", "medium", "low", "info", "none", "unknown"].contains(severity) { severity = "unknown" }
                let method: String? = finding.cvssVector.map { vector in
                    vector.hasPrefix("CVSS:4") ? "CVSSv4" : vector.hasPrefix("CVSS:3.1") ? "CVSSv31" : vector.hasPrefix("CVSS:3") ? "CVSSv3" : "CVSSv2"
                }
                var properties = [
                    CycloneDXVulnerability.Property(name: "drydock:status", value: finding.status.rawValue),
                    CycloneDXVulnerability.Property(name: "drydock:match", value: "\(finding.match.namespace) \(finding.match.key) \(finding.match.version): \(finding.match.matched)"),
                ]
                if let fixed = finding.fixedVersion { properties.append(.init(name: "drydock:fixedVersion", value: fixed)) }
                vulnerabilities.append(CycloneDXVulnerability(
                    bomRef: "\(prefix)vuln-\(index + 1)", id: finding.vulnerabilityID,
                    source: finding.severitySource.map { .init(name: $0) },
                    references: finding.aliases.isEmpty ? nil : finding.aliases.map { .init(id: $0, source: .init(name: "alias")) },
                    ratings: [.init(source: finding.severitySource.map { .init(name: $0) }, score: finding.cvssScore,
                                    severity: severity, method: method, vector: finding.cvssVector)],
                    description: finding.title, recommendation: finding.remediation,
                    affects: [.init(ref: ref)], properties: properties))
            }
        }
        self.vulnerabilities = vulnerabilities
    }
}
