import Foundation

/// The Harbor pluggable scanner API, v1.1 (goharbor/pluggable-scanner-spec,
/// `api/spec/scanner-adapter-openapi-v1.1.yaml`): its requests and answers as Swift values.
/// docs/scanner-adapter/ holds JSON schemas written from the same document; the tests
/// validate both directions against them.
enum HarborScan {
    static let metadataType = "application/vnd.scanner.adapter.metadata+json; version=1.0"
    static let requestType = "application/vnd.scanner.adapter.scan.request+json; version=1.0"
    static let responseType = "application/vnd.scanner.adapter.scan.response+json; version=1.0"
    static let errorType = "application/vnd.scanner.adapter.error+json; version=1.0"
    static let reportType = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.1"
    static let rawReportType = "application/vnd.scanner.adapter.vuln.report.raw"
    static let consumed = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"]

    struct Scanner: Codable, Equatable {
        var name: String
        var vendor: String
        var version: String
    }

    struct Capability: Codable {
        var consumes_mime_types: [String]
        var produces_mime_types: [String]
    }

    struct Metadata: Codable {
        var scanner: Scanner
        var capabilities: [Capability]
        var properties: [String: String]
    }

    struct Registry: Codable {
        var url: String
        var authorization: String?
    }

    struct Artifact: Codable {
        var repository: String
        var digest: String
        var tag: String?
        var mime_type: String?
    }

    struct Request: Codable {
        var registry: Registry
        var artifact: Artifact
    }

    struct Response: Codable {
        var id: String
    }

    struct Vulnerability: Codable {
        var id: String
        var package: String
        var version: String
        var fix_version: String?
        var severity: String
        var description: String?
        var links: [String]
        var cve3_score: String?
        var cvss3_vector: String?
    }

    struct Report: Codable {
        var generated_at: String
        var artifact: Artifact
        var scanner: Scanner
        var severity: String
        var vulnerabilities: [Vulnerability]
    }

    struct ErrorBody: Codable {
        struct Message: Codable { var message: String }
        var error: Message
    }

    /// Drydock's severities on Harbor's scale (NONE is Harbor's "Negligible").
    static func severity(_ label: String) -> String {
        switch label.uppercased() {
        case "CRITICAL": "Critical"
        case "HIGH": "High"
        case "MEDIUM": "Medium"
        case "LOW": "Low"
        case "NONE": "Negligible"
        default: "Unknown"
        }
    }

    static let severityOrder = ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"]
}
