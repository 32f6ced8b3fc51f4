import Analysis
import Foundation

/// The result of scanning one image (one platform): what `drydock scan` reports, and what the
/// defender will store. Stable JSON: fields are only ever added (docs/scan-json.md).
public struct ScanReport: Codable, Sendable {
    public struct Artifact: Codable, Sendable {
        public var source: String
        public var platform: String?
        public var manifestDigest: String?
        public var os: OSRelease?
        public var layerCount: Int
        public var packageCount: Int
    }

    public struct Summary: Codable, Sendable {
        /// Findings per severity label.
        public var bySeverity: [String: Int]
        public var fixable: Int
        public var total: Int
    }

    public var artifact: Artifact
    public var findings: [Finding]
    public var remediations: [Remediation]
    public var suppressed: [SuppressedFinding]
    public var warnings: [String]
    public var summary: Summary

    /// Matches, filters and plans: the whole pipeline after analysis.
    public static func make(inventory: ImageInventory, matcher: Matcher, filter: ScanFilter, now: Date = Date()) async throws -> ScanReport {
        let matched = try await matcher.match(inventory)
        let filtered = filter.apply(matched.findings, now: now)
        let planned = RemediationPlanner.plan(filtered.kept, layers: inventory.layers)
        var bySeverity: [String: Int] = [:]
        for finding in planned.findings { bySeverity[finding.severity, default: 0] += 1 }
        return ScanReport(
            artifact: Artifact(source: inventory.source, platform: inventory.platform, manifestDigest: inventory.manifestDigest,
                               os: inventory.os, layerCount: inventory.layers.count, packageCount: inventory.packages.count),
            findings: planned.findings, remediations: planned.remediations, suppressed: filtered.suppressed,
            warnings: (inventory.incomplete ?? []).map { "inventory incomplete: \($0)" } + matched.warnings + filtered.warnings
                + inventory.errors.map { "not analysed: \($0)" },
            summary: Summary(bySeverity: bySeverity, fixable: planned.findings.filter { $0.status == .fixed }.count,
                             total: planned.findings.count))
    }
}
