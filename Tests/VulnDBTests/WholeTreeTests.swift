import Foundation
import Testing
import Versioning
@testable import VulnDB

/// Imports the whole shared vulndata tree when it is present (slow: tens of seconds in debug).
struct WholeTreeTests {
    static let root = URL(fileURLWithPath: "/work/shared/vulndata")
    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path) }

    @Test(.enabled(if: WholeTreeTests.available, "needs /work/shared/vulndata"))
    func importWholeTree() throws {
        let start = Date()
        let (found, enrichmentSets) = DataSetDetector.scan(root: Self.root)
        let detectTime = Date().timeIntervalSince(start)
        print("detected \(found.count) data sets in \(String(format: "%.2f", detectTime)) s")
        var reports: [String: ImportReport] = [:]
        for (url, importer) in found {
            let t0 = Date()
            var vulns = 0, affected = 0
            var all: [AffectedPackage] = []
            let report = try importer.init().importRecords(from: url) { batch in
                vulns += batch.vulnerabilities.count
                affected += batch.affected.count
                all += batch.affected
            }
            // Every stored range and constraint must be readable by the Versioning module.
            var unreadable: [String] = []
            for a in all {
                for r in a.ranges where (try? VersionRange.osv(r, ecosystem: a.ecosystem)) == nil {
                    unreadable.append("\(a.vulnerabilityID) \(a.package): \(r)")
                }
                for c in a.vulnerableConstraints + a.safeConstraints where (try? VersionRange.parse(c, ecosystem: a.ecosystem)) == nil {
                    unreadable.append("\(a.vulnerabilityID) \(a.package): \(c)")
                }
            }
            if !unreadable.isEmpty { print("   unreadable ranges: \(unreadable.count), e.g. \(unreadable.prefix(5))") }
            #expect(unreadable.count * 100 <= max(all.count, 1), "\(importer.format): \(unreadable.prefix(10))")
            #expect(report.records == vulns)
            #expect(report.affectedPackages == affected)
            let rel = String(url.path.dropFirst(Self.root.path.count + 1))
            print("\(importer.format) \(rel): records=\(report.records) affected=\(report.affectedPackages) skipped=\(report.skipped) git=\(report.gitRangesSkipped) withdrawn=\(report.withdrawn) informational=\(report.informational) ignored=\(report.ignored) \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
            for s in report.skippedSamples.prefix(5) { print("   skipped: \(s)") }
            reports[rel] = report
        }
        let t1 = Date()
        var enrichments: [[String: Enrichment]] = []
        for (url, importer) in enrichmentSets {
            let (map, report) = try importer.init().importEnrichment(from: url)
            print("\(importer.format) \(url.lastPathComponent): records=\(report.records) skipped=\(report.skipped)")
            #expect(report.skipped == 0)
            if importer.format == "cve5" { #expect(report.records == 1569) }
            enrichments.append(map)
        }
        let enrichment = Enrichment.merge(enrichments)
        print("enrichment: \(enrichment.count) CVEs, \(enrichment.values.filter(\.knownExploited).count) KEV in \(String(format: "%.2f", Date().timeIntervalSince(t1))) s")
        let total = Date().timeIntervalSince(start)
        print("whole-tree import: \(String(format: "%.2f", total)) s")

        func r(_ key: String) -> ImportReport? { reports[key] }
        #expect(r("pypi/pypa-advisory-database")?.records == 7080)
        #expect(r("pypi/pypa-advisory-database")?.withdrawn == 269)
        #expect(r("go/golang-vulndb")?.records == 4291)
        #expect(r("go/golang-vulndb")?.withdrawn == 17)
        #expect(r("crates/rustsec-advisory-db-osv")?.records == 1206)
        #expect(r("crates/rustsec-advisory-db-osv")?.withdrawn == 13)
        #expect(r("crates/rustsec-advisory-db-osv")?.informational == 476)
        #expect(r("cpython/psf-advisory-database")?.records == 132)
        #expect(r("cpython/psf-advisory-database")?.affectedPackages == 0)
        #expect(r("packagist/friendsofphp-security-advisories")?.affectedPackages == 1592)
        #expect(r("maven/victims-cve-db")?.records == 177)
        #expect(r("debian/bookworm-from-changelogs")?.records == 6655)
        #expect(r("debian/bookworm-from-changelogs")?.affectedPackages == 6678)
        #expect(r("npm/nodejs-security-wg")?.records == 467 + 171)
        #expect(r("npm/nodejs-security-wg")?.ignored == 6)
        #expect(r("rubygems/ruby-advisory-db")?.affectedPackages == 1381)
        #expect(r("alpine/alpine-secdb-legacy")?.skipped == 0)
        #expect(r("enrichment/cisa-vulnrichment") == nil)  // enrichment is not an advisory data set
        #expect(found.count == 10)
        for (_, rep) in reports { #expect(rep.skipped < 100, "\(rep.source): \(rep.skippedSamples)") }
        #expect(enrichment.values.filter(\.knownExploited).count == 1404)
        #expect(enrichment.values.filter { !$0.severities.isEmpty }.count >= 189)
    }
}
