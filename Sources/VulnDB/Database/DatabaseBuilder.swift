import Foundation
import Logging

/// `drydock db build`: finds every data set under the given roots (by content, see
/// `DataSetDetector`), imports each, applies CVE enrichment (CVSS, known-exploited) to records
/// that lack it, and writes one new database file.
public enum DatabaseBuilder {
    public struct Report: Sendable, Codable {
        public var output: String
        public var sources: [ImportReport]
        public var vulnerabilities: Int
        public var affectedPackages: Int
        public var enrichedCVEs: Int
        public var seconds: Double
    }

    public static func build(roots: [URL], output: String, logger: Logger = Logger(label: "drydock.vulndb"),
                             progress: (String) -> Void = { _ in }) async throws -> Report {
        let started = Date()
        var enrichment: [[String: Enrichment]] = []
        var enrichmentReports: [ImportReport] = []
        var datasets: [(URL, any AdvisoryImporter.Type)] = []
        for root in roots {
            guard FileManager.default.fileExists(atPath: root.path) else {
                throw VulnDBError("source \(root.path) does not exist")
            }
            for (directory, importer) in DataSetDetector.detectEnrichment(root: root) {
                progress("reading enrichment \(directory.lastPathComponent) (\(importer.format))")
                let result = try importer.init().importEnrichment(from: directory)
                enrichment.append(result.enrichment)
                enrichmentReports.append(result.report)
            }
            datasets += DataSetDetector.detect(root: root)
        }
        guard !datasets.isEmpty else {
            throw VulnDBError("no advisory data recognised under \(roots.map(\.path).joined(separator: ", "))")
        }
        let enrichmentMap = Enrichment.merge(enrichment)

        let writer = try await VulnDatabaseWriter.create(at: output, logger: logger)
        var reports: [ImportReport] = []
        var totalVulnerabilities = 0, totalAffected = 0
        do {
            for (index, (directory, importerType)) in datasets.enumerated() {
                progress("[\(index + 1)/\(datasets.count)] importing \(directory.lastPathComponent) (\(importerType.format))")
                var vulnerabilities: [Vulnerability] = []
                var affected: [AffectedPackage] = []
                let report = try importerType.init().importRecords(from: directory) { batch in
                    vulnerabilities += batch.vulnerabilities
                    affected += batch.affected
                }
                for i in vulnerabilities.indices { Enrichment.apply(enrichmentMap, to: &vulnerabilities[i]) }
                try await writer.write(vulnerabilities: vulnerabilities)
                try await writer.write(affected: affected)
                let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
                try await writer.write(source: report.source, format: report.format, records: report.records,
                                       affected: report.affectedPackages, skipped: report.skipped, report: reportJSON)
                totalVulnerabilities += vulnerabilities.count
                totalAffected += affected.count
                reports.append(report)
                progress("      \(report.records) records, \(report.affectedPackages) package entries, \(report.skipped) skipped")
            }
            for report in enrichmentReports {
                let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
                try await writer.write(source: report.source, format: report.format, records: report.records,
                                       affected: 0, skipped: report.skipped, report: reportJSON)
            }
            progress("indexing and compacting")
            try await writer.finish(builtAt: Date())
        } catch {
            await writer.abandon()
            throw error
        }
        return Report(output: output, sources: reports + enrichmentReports, vulnerabilities: totalVulnerabilities,
                      affectedPackages: totalAffected, enrichedCVEs: enrichmentMap.count,
                      seconds: Date().timeIntervalSince(started))
    }
}
