import Analysis
import Foundation
import Matching

/// The `--format` values of `drydock scan`.
public enum ScanFormat: String, CaseIterable, Sendable {
    case table, json, sarif, cyclonedx

    /// Renders the reports of one reference (one per platform) with their inventories.
    public func render(_ scans: [(inventory: ImageInventory, report: ScanReport)], database: ScanDocument.Database,
                       colour: Bool = false) throws -> String {
        switch self {
        case .table: return FindingsTable.render(scans.map(\.report), colour: colour)
        case .json: return try encode(ScanDocument(reports: scans.map(\.report), database: database))
        case .sarif: return try encode(SARIFLog(scans.map(\.report)))
        case .cyclonedx: return try encode(CycloneDXDocument(scans.map(\.inventory), reports: scans.map(\.report)))
        }
    }

    private func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// `drydock scan --format json` (docs/scan-json.md): the findings of every platform at the top,
/// then the per-platform reports.
public struct ScanDocument: Codable, Sendable {
    public struct Database: Codable, Sendable {
        public var path: String
        public var builtAt: Date
        public var schemaVersion: Int
        public init(path: String, builtAt: Date, schemaVersion: Int) {
            self.path = path
            self.builtAt = builtAt
            self.schemaVersion = schemaVersion
        }
    }

    public var schemaVersion = 1
    public var database: Database
    /// Every finding; with several platforms each carries `platform`.
    public var findings: [PlatformFinding]
    public var results: [ScanReport]

    public struct PlatformFinding: Codable, Sendable {
        public var finding: Finding
        public var platform: String?

        public func encode(to encoder: any Encoder) throws {
            try finding.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(platform, forKey: .platform)
        }

        public init(from decoder: any Decoder) throws {
            finding = try Finding(from: decoder)
            platform = try decoder.container(keyedBy: Key.self).decodeIfPresent(String.self, forKey: .platform)
        }

        init(finding: Finding, platform: String?) {
            self.finding = finding
            self.platform = platform
        }

        enum Key: String, CodingKey { case platform }
    }

    public init(reports: [ScanReport], database: Database) {
        self.database = database
        findings = reports.flatMap { report in
            report.findings.map { PlatformFinding(finding: $0, platform: reports.count > 1 ? report.artifact.platform : nil) }
        }
        results = reports
    }
}
