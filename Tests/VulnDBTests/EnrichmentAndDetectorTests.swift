import Foundation
import Testing
import Versioning
@testable import VulnDB

@Suite struct EnrichmentTests {
    @Test func kevAndVulnrichment() throws {
        let (kev, kevReport) = try CISAKEVImporter().importEnrichment(from: Fixtures.url("enrichment/cisa-kev"))
        #expect(kevReport.records == 2)
        #expect(kev["CVE-2021-44228"]?.knownExploited == true)
        #expect(kev["CVE-2025-48384"]?.kevDateAdded == "2025-08-25")
        let (cve5, report) = try CVE5Importer().importEnrichment(from: Fixtures.url("enrichment/cisa-vulnrichment"))
        #expect(report.records == 1)
        let e = try #require(cve5["CVE-2019-14232"])
        #expect(e.knownExploited == false)
        #expect(e.ssvcExploitation == "none")
        #expect(e.severities == [Severity(source: "cve5:CISA-ADP", type: .cvssV3,
                                          vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", score: 7.5, label: "HIGH")])
        let merged = Enrichment.merge([kev, cve5])
        var v = Vulnerability(id: "PYSEC-2019-79", aliases: ["CVE-2019-14232"], source: "t")
        Enrichment.apply(merged, to: &v)
        #expect(v.severities.count == 1)
        #expect(v.knownExploited == false)
        var log4j = Vulnerability(id: "GHSA-jfh8-c2jp-5v3q", aliases: ["CVE-2021-44228"], source: "t")
        Enrichment.apply(merged, to: &log4j)
        #expect(log4j.knownExploited)
    }
}

@Suite struct DetectorTests {
    @Test func detectsFixtureDataSets() throws {
        let found = DataSetDetector.detect(root: Fixtures.root)
        let rel = found.map { (String($0.0.path.dropFirst(Fixtures.root.standardizedFileURL.path.count + 1)), $0.1.format) }
        let map = Dictionary(rel, uniquingKeysWith: { a, _ in a })
        #expect(map["pypi/pypa-advisory-database"] == "osv")
        #expect(map["go/golang-vulndb"] == "osv")
        #expect(map["crates/rustsec-advisory-db-osv"] == "osv")
        #expect(map["cpython/psf-advisory-database"] == "osv")
        #expect(map["debian/bookworm-from-changelogs"] == "osv")
        #expect(map["rubygems/ruby-advisory-db"] == "rubysec")
        #expect(map["packagist/friendsofphp-security-advisories"] == "friendsofphp")
        #expect(map["npm/nodejs-security-wg"] == "nodejs-security-wg")
        #expect(map["maven/victims-cve-db"] == "victims")
        #expect(map["alpine/alpine-secdb-legacy"] == "alpine-secdb")
        #expect(map["debian-tracker"] == "debian-tracker")
        let enrichment = DataSetDetector.detectEnrichment(root: Fixtures.root).map { ($0.0.path, $0.1.format) }
        #expect(enrichment.contains { $0.0.hasSuffix("enrichment/cisa-kev") && $0.1 == "cisa-kev" })
        // The fixture holds a single bucket, so the detector descends to it (wrapper directories).
        #expect(enrichment.contains { $0.0.contains("enrichment/cisa-vulnrichment") && $0.1 == "cve5" })
        #expect(enrichment.count == 2)
    }

    @Test func directoryRecognition() {
        #expect(OSVImporter.recognizes(directory: Fixtures.url("go/golang-vulndb")))
        #expect(!OSVImporter.recognizes(directory: Fixtures.url("rubygems/ruby-advisory-db")))
        #expect(RubySecImporter.recognizes(directory: Fixtures.url("rubygems/ruby-advisory-db")))
        #expect(FriendsOfPHPImporter.recognizes(directory: Fixtures.url("packagist/friendsofphp-security-advisories")))
        #expect(VictimsImporter.recognizes(directory: Fixtures.url("maven/victims-cve-db")))
        #expect(!VictimsImporter.recognizes(directory: Fixtures.url("pypi/pypa-advisory-database")))
        #expect(AlpineSecDBImporter.recognizes(directory: Fixtures.url("alpine/alpine-secdb-legacy")))
        #expect(NodeSecurityWGImporter.recognizes(directory: Fixtures.url("npm/nodejs-security-wg")))
        #expect(CVE5Importer.recognizes(directory: Fixtures.url("enrichment/cisa-vulnrichment")))
        #expect(!OSVImporter.recognizes(directory: Fixtures.url("enrichment/cisa-vulnrichment")))
        #expect(CISAKEVImporter.recognizes(directory: Fixtures.url("enrichment/cisa-kev")))
    }
}

@Suite struct ModelCodingTests {
    @Test func roundTrip() throws {
        let a = AffectedPackage(vulnerabilityID: "X-1", namespace: "pypi", package: "django", ecosystem: .pep440,
                                status: .willNotFix, ranges: [[.introduced("0"), .fixed("1.0"), .lastAffected("2"), .limit("3")]],
                                versions: ["0.9"], vulnerableConstraints: ["<1"], safeConstraints: [">=5"], fixedVersions: ["1.0"])
        let data = try JSONEncoder().encode(a)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#"{"introduced":"0"}"#))
        #expect(text.contains(#"{"last_affected":"2"}"#))
        #expect(text.contains(#""status":"will_not_fix""#))
        #expect(text.contains(#""ecosystem":"pep440""#))
        #expect(try JSONDecoder().decode(AffectedPackage.self, from: data) == a)
        let v = Vulnerability(id: "X-1", aliases: ["CVE-2020-1234"], severities: [.score(5, type: .cvssV3, source: "s")], source: "s")
        #expect(try JSONDecoder().decode(Vulnerability.self, from: JSONEncoder().encode(v)) == v)
    }

    @Test func isAffectedEdgeCases() throws {
        // Unbounded range from a version; versions list with a different spelling.
        let a = AffectedPackage(vulnerabilityID: "X", namespace: "pypi", package: "p", ecosystem: .pep440, status: .affected,
                                ranges: [[.introduced("2.0")]], versions: ["1.3"])
        #expect(try a.isAffected(version: "1.3.0"))
        #expect(try a.isAffected(version: "2.5"))
        #expect(try !a.isAffected(version: "1.9"))
        // No constraints at all: every version.
        let all = AffectedPackage(vulnerabilityID: "X", namespace: "npm", package: "p", ecosystem: .npm, status: .affected)
        #expect(try all.isAffected(version: "1.2.3"))
        // Nuget and Cargo native constraints.
        let nuget = AffectedPackage(vulnerabilityID: "X", namespace: "nuget", package: "p", ecosystem: .nuget, status: .fixed,
                                    vulnerableConstraints: ["[1.0,2.0)"])
        #expect(try nuget.isAffected(version: "1.5"))
        #expect(try !nuget.isAffected(version: "2.0"))
        let cargo = AffectedPackage(vulnerabilityID: "X", namespace: "crates.io", package: "p", ecosystem: .cargo, status: .fixed,
                                    vulnerableConstraints: ["<0.9"])
        #expect(try cargo.isAffected(version: "0.8.1"))
        #expect(try !cargo.isAffected(version: "0.9.0"))
        // An invalid version throws rather than answering.
        #expect(throws: VersionParseError.self) { try a.isAffected(version: "not a version!") }
    }
}

@Suite struct DocTests {
    @Test func jsonKeepsBooleansNumbersAndStrings() throws {
        let d = try DocLoader.json(Data(#"{"a": true, "b": 1, "c": "1.10", "d": null, "e": [false, 2.5]}"#.utf8))
        #expect(d["a"] == .bool(true))
        #expect(d["b"] == .number(1))
        #expect(d["b"]?.string == "1")
        #expect(d["c"] == .string("1.10"))
        #expect(d["d"] == .null)
        #expect(d["e"] == .array([.bool(false), .number(2.5)]))
    }

    @Test func yamlKeepsScalarTextVerbatim() throws {
        let d = try DocLoader.yaml(Data("v: 1.10\nt: 2023-11-07T20:24:23.946863Z\nn: ~\nq: '0'\nb: yes\n".utf8))
        #expect(d["v"] == .string("1.10"))
        #expect(d["t"] == .string("2023-11-07T20:24:23.946863Z"))
        #expect(d["n"] == .null)
        #expect(d["q"] == .string("0"))
        #expect(d["b"]?.bool == true)
    }
}
