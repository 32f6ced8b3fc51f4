import Foundation
import Matching

/// Runs the scans the Harbor scanner API accepted, `concurrency` at a time, beside the
/// defender's own queue (they share the layer cache and the database).
actor AdapterScanQueue {
    private var pending: [(id: String, run: @Sendable (String) async -> Void)] = []
    private var running = 0
    private let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func submit(_ id: String, run: @escaping @Sendable (String) async -> Void) {
        pending.append((id, run))
        pump()
    }

    private func pump() {
        while running < limit, !pending.isEmpty {
            let next = pending.removeFirst()
            running += 1
            Task {
                await next.run(next.id)
                self.finished()
            }
        }
    }

    private func finished() {
        running -= 1
        pump()
    }
}

extension Defender {
    func submitAdapterScan(_ id: String) async {
        await adapterQueue.submit(id) { [weak self] id in await self?.runAdapterScan(id: id) }
    }

    /// One scan asked for through the Harbor scanner API: pull, inventory, match, report.
    func runAdapterScan(id: String) async {
        guard let scan = try? await store.adapterScan(id: id),
              let request = try? JSONDecoder().decode(HarborScan.Request.self, from: scan.request) else { return }
        // The request is kept without the credentials it carried once the scan is over.
        var stripped = request
        stripped.registry.authorization = nil
        let kept = (try? JSONEncoder().encode(stripped)) ?? Data("{}".utf8)
        do {
            try await store.setAdapterScanRunning(id: id)
            let (reference, options) = try HarborScannerAPI.source(for: request)
            let inventories = try await scanner.inventories(of: reference, options: options)
            let evaluation = try await Evaluator.evaluate(inventories, database: await database.current)
            guard evaluation.status == .completed else {
                throw DefenderError(.invalid, "no vulnerability database is loaded on this Drydock: the image was inventoried, not matched")
            }
            let report = HarborReport.make(evaluation.findings, artifact: request.artifact, now: now)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            struct Raw: Encodable { var findings: [Finding]; var remediations: [Remediation]; var warnings: [String] }
            try await store.finishAdapterScan(id: id, request: kept, report: try encoder.encode(report),
                                              raw: try encoder.encode(Raw(findings: evaluation.findings, remediations: evaluation.remediations,
                                                                          warnings: evaluation.warnings)),
                                              error: nil, now: now)
            recordScan(result: "adapter_completed")
        } catch {
            let message = "\(error)".prefix(500).description
            try? await store.finishAdapterScan(id: id, request: kept, report: nil, raw: nil, error: message, now: now)
            recordScan(result: "adapter_failed")
            logger.notice("scan requested through the scanner API failed", metadata: ["id": "\(id)", "error": "\(message)"])
        }
    }
}

/// A Harbor vulnerability report from Drydock's findings.
enum HarborReport {
    static func make(_ findings: [Finding], artifact: HarborScan.Artifact, now: Double) -> HarborScan.Report {
        let vulnerabilities = findings.map { finding in
            HarborScan.Vulnerability(
                id: finding.vulnerabilityID, package: finding.package.name, version: finding.package.version,
                fix_version: finding.fixedVersion, severity: HarborScan.severity(finding.severity), description: finding.title,
                links: finding.references, cve3_score: finding.cvssScore.map { String(format: "%.1f", $0) },
                cvss3_vector: finding.cvssVector.flatMap { $0.hasPrefix("CVSS:3") ? $0 : nil })
        }
        let highest = vulnerabilities.map(\.severity).max { HarborScan.severityOrder.firstIndex(of: $0) ?? 0 < HarborScan.severityOrder.firstIndex(of: $1) ?? 0 }
        return HarborScan.Report(generated_at: Time.iso(now), artifact: artifact, scanner: HarborScannerAPI.scanner,
                                 severity: highest ?? "Unknown", vulnerabilities: vulnerabilities)
    }
}
