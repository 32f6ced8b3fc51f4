import Foundation
import Testing
import Versioning
@testable import VulnDB

@Suite struct OSVImporterTests {
    @Test func pypiDjangoRecord() throws {
        let r = try Fixtures.run(OSVImporter(), "pypi/pypa-advisory-database")
        #expect(r.report.format == "osv")
        #expect(r.report.source == "pypa-advisory-database")
        #expect(r.report.records == 7)
        #expect(r.report.skipped == 0)
        let v = try #require(r.vulns.byID("PYSEC-2008-1"))
        #expect(v.aliases == ["CVE-2008-2302", "GHSA-54qj-48vx-cr9f"])
        #expect(v.published == "2008-05-23T15:32:00Z")
        #expect(v.modified == "2021-07-15T02:22:07.778598Z")
        #expect(v.references.count == 8)
        #expect(v.source == "pypa-advisory-database")
        let a = try #require(r.affected.of("PYSEC-2008-1").first)
        #expect(a.namespace == "pypi")
        #expect(a.package == "django")
        #expect(a.ecosystem == .pep440)
        #expect(a.status == .fixed)
        #expect(a.ranges == [[.introduced("0"), .fixed("1.1")]])
        #expect(a.versions == ["1.0.1", "1.0.2", "1.0.3", "1.0.4"])
        #expect(a.fixedVersions == ["1.1"])
        #expect(try a.isAffected(version: "1.0.4"))
        #expect(try a.isAffected(version: "0.96"))
        #expect(try !a.isAffected(version: "1.1"))
        #expect(try !a.isAffected(version: "4.2.1"))
    }

    @Test func pypiMultiRangeAndGitRanges() throws {
        let r = try Fixtures.run(OSVImporter(), "pypi/pypa-advisory-database")
        let a = try #require(r.affected.of("PYSEC-2016-2").first)
        #expect(a.ranges == [[.introduced("0"), .fixed("1.8.14"), .introduced("1.9"), .fixed("1.9.8"),
                              .introduced("1.10a0"), .fixed("1.10rc1")]])
        #expect(a.fixedVersions == ["1.8.14", "1.9.8", "1.10rc1"])
        #expect(r.report.gitRangesSkipped >= 1)
        #expect(try a.isAffected(version: "1.8.13"))
        #expect(try !a.isAffected(version: "1.8.14"))
        #expect(try a.isAffected(version: "1.9.7"))
        #expect(try !a.isAffected(version: "1.9.8"))
        #expect(try a.isAffected(version: "1.10b1"))
        #expect(try !a.isAffected(version: "1.10"))
    }

    @Test func pypiUnquotedTimestampsAndUnboundedRange() throws {
        let r = try Fixtures.run(OSVImporter(), "pypi/pypa-advisory-database")
        let v = try #require(r.vulns.byID("PYSEC-2020-342"))
        // Unquoted YAML timestamps stay the text that was written.
        #expect(v.modified == "2023-11-07T20:24:23.946863Z")
        #expect(v.published == "2020-08-05T14:15:00Z")
        #expect(v.severities == [Severity(source: "pypa-advisory-database", type: .cvssV3,
                                          vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8, label: "CRITICAL")])
        let a = try #require(r.affected.of("PYSEC-2020-342").first)
        #expect(a.package == "apache-skywalking")
        #expect(a.status == .affected)
        #expect(a.fixedVersions.isEmpty)
        #expect(try a.isAffected(version: "99.0"))
    }

    @Test func pypiWithdrawnAndFutureModified() throws {
        let r = try Fixtures.run(OSVImporter(), "pypi/pypa-advisory-database")
        #expect(r.report.withdrawn == 1)
        #expect(r.vulns.byID("PYSEC-2023-121")?.withdrawn != nil)
        #expect(r.vulns.byID("PYSEC-2025-19")?.modified?.hasPrefix("2027-07-09") == true)
        let la = try #require(r.affected.of("PYSEC-2026-1356").first)
        #expect(la.ranges.flatMap { $0 }.contains { if case .lastAffected = $0 { return true } else { return false } })
    }

    @Test func goSemverRangeWithoutFixAndCommitDates() throws {
        let r = try Fixtures.run(OSVImporter(), "go/golang-vulndb")
        #expect(r.report.source == "golang-vulndb")
        #expect(r.report.records == 5)
        let v = try #require(r.vulns.byID("GO-2026-6249"))
        #expect(v.published == "2026-08-18T14:32:29Z")  // placeholder replaced from the TSV
        #expect(v.modified == "2026-08-18T14:32:29Z")
        #expect(v.severities.isEmpty)
        let a = r.affected.of("GO-2026-6249")
        #expect(a.map(\.package) == ["github.com/apache/answer", "github.com/apache/incubator-answer"])
        #expect(a.allSatisfy { $0.status == .affected && $0.ranges == [[.introduced("0")]] && $0.fixedVersions.isEmpty })
        #expect(a.first?.namespace == "go")
        #expect(a.first?.ecosystem == .go)
        #expect(try a[0].isAffected(version: "2.0.1"))
        #expect(try a[0].isAffected(version: "v0.0.0-20191109021931-daa7c04131f5"))
        // A real publication date is kept; only the placeholder is replaced.
        #expect(r.vulns.byID("GO-2020-0040")?.published == "2021-04-14T20:04:52Z")
        #expect(r.vulns.byID("GO-2020-0040")?.modified == "2024-05-20T16:03:47Z")
    }

    @Test func goStdlibFixedRanges() throws {
        let r = try Fixtures.run(OSVImporter(), "go/golang-vulndb")
        let a = try #require(r.affected.of("GO-2024-2598").first)
        #expect(a.package == "stdlib")
        #expect(a.status == .fixed)
        #expect(a.fixedVersions == ["1.21.8", "1.22.1"])
        #expect(try a.isAffected(version: "1.21.7"))
        #expect(try !a.isAffected(version: "1.21.8"))
        #expect(try a.isAffected(version: "1.22.0"))
        #expect(try a.isAffected(version: "1.22.0-rc.1"))
        #expect(try !a.isAffected(version: "v1.22.1"))
    }

    @Test func cratesInformationalWithdrawnAndCVSS() throws {
        let r = try Fixtures.run(OSVImporter(), "crates/rustsec-advisory-db-osv")
        #expect(r.report.records == 4)
        #expect(r.report.informational == 3)
        #expect(r.report.withdrawn == 1)
        let unmaintained = try #require(r.vulns.byID("RUSTSEC-2016-0004"))
        #expect(unmaintained.informational == "unmaintained")
        #expect(r.vulns.byID("RUSTSEC-2018-0018")?.informational == "unsound")
        #expect(r.vulns.byID("RUSTSEC-2019-0031")?.withdrawn == "2020-10-08T12:00:00Z")
        let openssl = try #require(r.vulns.byID("RUSTSEC-2016-0001"))
        #expect(openssl.informational == nil)
        // The same v3.0 vector in `severity` and `affected[].database_specific.cvss` is kept once.
        #expect(openssl.severities == [Severity(source: "rustsec-advisory-db-osv", type: .cvssV3,
                                                vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 8.1, label: "HIGH")])
        let a = try #require(r.affected.of("RUSTSEC-2016-0001").first)
        #expect(a.namespace == "crates.io")
        #expect(a.ecosystem == .cargo)
        #expect(try a.isAffected(version: "0.8.3"))
        #expect(try !a.isAffected(version: "0.9.0"))
    }

    @Test func cpythonGitOnlyIsCountedAndSkipped() throws {
        let r = try Fixtures.run(OSVImporter(), "cpython/psf-advisory-database")
        #expect(r.report.records == 1)
        #expect(r.affected.isEmpty)
        #expect(r.report.gitRangesSkipped >= 1)
    }

    @Test func debianDerivedOSV() throws {
        let r = try Fixtures.run(OSVImporter(), "debian/bookworm-from-changelogs/osv")
        #expect(r.report.source == "bookworm-from-changelogs")
        let a = r.affected.of("DEBIAN-DERIVED-CVE-2017-16612")
        #expect(a.map(\.package) == ["libxcursor", "wayland"])
        #expect(a.allSatisfy { $0.namespace == "debian:12" && $0.ecosystem == .dpkg })
        #expect(a[0].fixedVersions == ["1:1.1.14-3.1"])
        #expect(try a[0].isAffected(version: "1:1.1.14-3"))
        #expect(try !a[0].isAffected(version: "1:1.1.14-3.1"))
        #expect(try !a[0].isAffected(version: "1:1.1.14-3.1+b1"))
        #expect(r.vulns.byID("DEBIAN-DERIVED-CVE-2017-16612")?.aliases == ["CVE-2017-16612"])
    }

    @Test func malformedFilesAreSkippedNotFatal() throws {
        let r = try Fixtures.run(OSVImporter(), "malformed/osv")
        // truncated JSON, YAML garbage, `affected` of the wrong type, missing id -> 4 skipped files;
        // plus one unsupported-ecosystem entry (Hex) dropped from the good record.
        #expect(r.report.records == 1)
        #expect(r.report.skipped == 5)
        #expect(r.report.skippedSamples.count == 5)
        #expect(r.report.skippedSamples.contains { $0.hasPrefix("GO-TRUNCATED.json: invalid JSON") })
        #expect(r.report.skippedSamples.contains { $0.hasPrefix("PYSEC-GARBAGE.yaml: invalid YAML") })
        #expect(r.report.skippedSamples.contains { $0 == "WRONG-TYPES.json: affected is not a list" })
        #expect(r.report.skippedSamples.contains { $0 == "NO-ID.json: missing id" })
        #expect(r.report.skippedSamples.contains { $0.contains("unsupported ecosystem Hex") })
        let ok = try #require(r.vulns.byID("OSV-OK-1"))
        #expect(ok.aliases == ["CVE-2024-0001"])
        let a = try #require(r.affected.first)
        #expect(a.namespace == "npm")
        #expect(a.ranges == [[.introduced("1.0.0"), .limit("2.0.0")]])
        #expect(try a.isAffected(version: "1.5.0"))
        #expect(try !a.isAffected(version: "2.0.0"))
        #expect(try !a.isAffected(version: "0.9.0"))
    }

    @Test func oversizedFilesAreSkipped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vulndb-big-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = Data(count: DocLoader.defaultMaxBytes + 1)
        try big.write(to: dir.appendingPathComponent("HUGE-1.json"))
        var batches = 0
        let report = try OSVImporter().importRecords(from: dir) { _ in batches += 1 }
        #expect(report.skipped == 1)
        #expect(report.skippedSamples.first?.contains("file too large") == true)
        #expect(batches == 0)
    }

    @Test func sinkErrorsAbortTheImport() throws {
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            _ = try OSVImporter().importRecords(from: Fixtures.url("go/golang-vulndb")) { _ in throw Stop() }
        }
    }

    @Test func ecosystemNamespaces() {
        let cases: [(String, String, Ecosystem)] = [
            ("PyPI", "pypi", .pep440), ("Go", "go", .go), ("crates.io", "crates.io", .cargo),
            ("Debian:12", "debian:12", .dpkg), ("Alpine:v3.18", "alpine:3.18", .apk),
            ("Ubuntu:22.04", "ubuntu:22.04", .dpkg), ("Ubuntu:Pro:18.04:LTS", "ubuntu:18.04", .dpkg),
            ("Rocky Linux:8", "rocky:8", .rpm), ("npm", "npm", .npm), ("Maven", "maven", .maven),
            ("RubyGems", "rubygems", .rubygems), ("Packagist", "packagist", .composer), ("NuGet", "nuget", .nuget),
        ]
        for (raw, ns, eco) in cases {
            let m = Identifiers.namespace(forOSVEcosystem: raw)
            #expect(m?.namespace == ns, "\(raw)")
            #expect(m?.ecosystem == eco, "\(raw)")
        }
        #expect(Identifiers.namespace(forOSVEcosystem: "Hex") == nil)
        #expect(Identifiers.packageKey("Zope.Interface_Foo", namespace: "pypi") == "zope-interface-foo")
    }
}
