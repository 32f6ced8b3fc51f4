import Foundation
@testable import VulnDB

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Runs an importer over a fixture directory and collects everything it emitted.
    static func run(_ importer: any AdvisoryImporter, _ path: String) throws -> (report: ImportReport, vulns: [Vulnerability], affected: [AffectedPackage]) {
        var vulns: [Vulnerability] = []
        var affected: [AffectedPackage] = []
        let report = try importer.importRecords(from: url(path)) { batch in
            vulns += batch.vulnerabilities
            affected += batch.affected
        }
        return (report, vulns, affected)
    }
}

extension Array where Element == Vulnerability {
    func byID(_ id: String) -> Vulnerability? { first { $0.id == id } }
}

extension Array where Element == AffectedPackage {
    func of(_ id: String) -> [AffectedPackage] { filter { $0.vulnerabilityID == id } }
}
