import Analysis
import DrydockTestSupport
import Foundation
@testable import Matching
import Testing
import Versioning
import VulnDB

/// Findings for the real debian-multi image against a database built from real advisory records
/// (plus hand-written tracker states): exact sets for chosen packages, distro-before-upstream,
/// whiteouts, statuses and remediation.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct MatchingTests {
    @Test func oldWheelsGetExactlyTheirAdvisories() async throws {
        let report = try await MatchingFixtures.scan()
        func ids(_ name: String, under prefix: String) -> [String] {
            report.findings.filter { $0.package.name == name && $0.package.location.hasPrefix(prefix) }.map(\.vulnerabilityID).sorted()
        }
        let local = "/usr/local/lib/python3.11/dist-packages/"
        // The five Django records of the fixture all cover 2.2.0.
        #expect(ids("Django", under: local) == ["CVE-2019-12308", "CVE-2019-14232", "CVE-2020-9402", "CVE-2021-44420", "CVE-2022-28346"])
        #expect(ids("requests", under: local) == ["CVE-2018-18074", "CVE-2023-32681", "CVE-2024-35195", "CVE-2024-47081", "CVE-2026-25645"])
        let requests = try #require(report.findings.first { $0.vulnerabilityID == "CVE-2018-18074" })
        #expect(requests.status == .fixed)
        #expect(requests.fixedVersion == "2.20.0")
        #expect(requests.aliases.contains("PYSEC-2018-28"))
        #expect(requests.package.purl == "pkg:pypi/requests@2.19.1")
        #expect(requests.match == MatchDetails(namespace: "pypi", key: "requests", version: "2.19.1",
                                               matched: "introduced 0, fixed 2.20.0", kind: "ecosystem"))
        // One action for all of Django's findings, to the highest fixed version among them.
        let django = try #require(report.remediations.first { $0.package.name == "Django" })
        #expect(django.action == "pip install 'Django>=2.2.28'")
        #expect(django.fixes.count == 5)
        #expect(report.findings.filter { $0.package.name == "Django" }.allSatisfy { $0.remediation == django.action })
        #expect(django.origin?.hasPrefix("introduced by layer 3 of 5 (pip install") == true)
    }

    @Test func whitedOutAndDistroPatchedPackagesHaveNone() async throws {
        let report = try await MatchingFixtures.scan()
        // urllib3 1.24.1 was deleted by layer 5; Debian's python3-urllib3 (1.26.12, patched by
        // Debian) is dpkg's, so the Debian advisory decides, not PyPI's ranges…
        #expect(report.findings.filter { $0.package.name == "urllib3" }.isEmpty)
        // …which would flag it: the fixture has PyPI advisories covering that version.
        let inventory = try await MatchingFixtures.debianMulti.value
        let debian = try #require(inventory.packages.first { $0.type == .pypi && $0.name == "urllib3" })
        #expect(debian.properties["ownedBy"] == "deb:python3-urllib3")
        let database = try await VulnDatabase.open(path: try await MatchingFixtures.database.value)
        let upstream = try await database.affected(namespace: "pypi", package: "urllib3")
        await database.close()
        #expect(try upstream.contains { try $0.isAffected(version: debian.version) })
    }

    @Test func debianBinariesMatchThroughTheirSourcePackage() async throws {
        let report = try await MatchingFixtures.scan()
        let inventory = try await MatchingFixtures.debianMulti.value
        let expat = try #require(inventory.packages.first { $0.type == .deb && $0.name == "libexpat1" })
        #expect(expat.sourceName == "expat")
        let installed = expat.sourceVersion ?? expat.version
        // Expected from dpkg's own ordering: a record applies when the installed source version
        // is below its fixed version (the image follows the Debian archive, so this is computed).
        let fixes = ["CVE-2024-28757": "2.5.0-1+deb12u4", "CVE-2026-50219": "2.5.0-1+deb12u3",
                     "CVE-2026-102633": "2.5.0-1+deb12u5", "CVE-2013-0340": "2.4.1-1", "CVE-2021-45960": "2.4.3-1"]
        var expected: [String] = []
        for (id, fixed) in fixes where try await MatchingFixtures.dpkgLess(installed, fixed) { expected.append(id) }
        let found = report.findings.filter { $0.package.name == "libexpat1" }
        #expect(found.map(\.vulnerabilityID).sorted() == expected.sorted())
        for finding in found {
            #expect(finding.match.namespace == "debian:12")
            #expect(finding.match.key == "expat")
            #expect(finding.match.kind == "distro")
            #expect(finding.fixedVersion == fixes[finding.vulnerabilityID])
            #expect(finding.package.sourceName == "expat")
        }
        if let highest = found.compactMap(\.fixedVersion).max(by: { (try? compare($0, $1, in: .dpkg)) == .less }) {
            #expect(report.remediations.first { $0.package.name == "libexpat1" }?.action
                    == "apt-get install --only-upgrade libexpat1=\(highest)")
        }
    }

    @Test func trackerStatesBecomeFindingStatuses() async throws {
        let report = try await MatchingFixtures.scan()
        func finding(_ id: String, _ package: String) -> Finding? {
            report.findings.first { $0.vulnerabilityID == id && $0.package.name == package }
        }
        let tar = try #require(finding("CVE-2005-2541", "tar"))
        #expect(tar.status == .affected)
        #expect(tar.fixedVersion == nil)
        #expect(tar.severity == "LOW")
        #expect(tar.severitySource == "debian-security-tracker")
        let libc = try #require(finding("CVE-2010-4756", "libc6"))
        #expect(libc.status == .willNotFix)
        #expect(libc.match.key == "glibc")
        let coreutils = try #require(finding("CVE-2016-2781", "coreutils"))
        #expect(coreutils.status == .fixDeferred)
        // From the base image: the remediation says so.
        let remediation = try #require(report.remediations.first { $0.package.name == "coreutils" })
        #expect(remediation.origin == "introduced by layer 1 of 5 (base image); rebuild on a newer base")
        #expect(remediation.action.hasPrefix("no fixed version yet (fix_deferred)"))

        var fixable = ScanFilter()
        fixable.ignoreUnfixed = true
        let onlyFixable = try await MatchingFixtures.scan(fixable)
        #expect(onlyFixable.findings.allSatisfy { $0.status == .fixed })
        #expect(onlyFixable.findings.count == report.findings.filter { $0.status == .fixed }.count)
    }

    @Test func severityFilterIgnoreRulesAndVEX() async throws {
        var filter = ScanFilter()
        filter.severities = [.low]
        #expect(try await MatchingFixtures.scan(filter).findings.allSatisfy { $0.severity == "LOW" })

        var suppressing = ScanFilter()
        suppressing.ignoreRules = try IgnoreFile.parse("""
            ignore:
              - id: PYSEC-2018-28
                package: requests
                justification: the proxy redirect path is not used
              - id: CVE-2005-2541
                justification: expired exception
                expires: 2020-01-01
            """, name: "ignore.yaml")
        suppressing.vex = try OpenVEX.parse(Data("""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.invalid/vex/1", "author": "test",
             "timestamp": "2026-11-25T00:00:00Z", "version": 1,
             "statements": [{"vulnerability": {"name": "CVE-2023-32681"},
                             "products": [{"@id": "pkg:oci/debian-multi", "subcomponents": [{"@id": "pkg:pypi/requests@2.19.1"}]}],
                             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
            """.utf8), name: "vex.json")
        let report = try await MatchingFixtures.scan(suppressing)
        #expect(!report.findings.contains { $0.vulnerabilityID == "CVE-2018-18074" })
        #expect(!report.findings.contains { $0.vulnerabilityID == "CVE-2023-32681" })
        #expect(report.findings.contains { $0.vulnerabilityID == "CVE-2005-2541" }, "an expired rule no longer applies")
        #expect(report.suppressed.map(\.reason).sorted() == [
            "VEX not_affected: vulnerable_code_not_in_execute_path", "ignored: the proxy redirect path is not used",
        ])
        #expect(report.warnings.contains { $0.contains("expired") })
    }

    @Test func badIgnoreFilesAndVEXAreClearErrors() throws {
        #expect(throws: IgnoreFile.Error.self) { try IgnoreFile.parse("ignore:\n  - id: CVE-1\n", name: "f") }
        #expect(throws: IgnoreFile.Error.self) { try IgnoreFile.parse("ignore:\n  - id: CVE-1\n    justification: x\n    packag: y\n", name: "f") }
        #expect(throws: IgnoreFile.Error.self) { try IgnoreFile.parse("ignore: [\n", name: "f") }
        #expect(throws: IgnoreFile.Error.self) { try IgnoreFile.parse("ignore:\n  - id: CVE-1\n    justification: x\n    expires: soon\n", name: "f") }
        #expect(throws: OpenVEX.Error.self) { try OpenVEX.parse(Data("{\"statements\": []}".utf8), name: "v") }
        #expect(throws: OpenVEX.Error.self) { try OpenVEX.parse(Data("not json".utf8), name: "v") }
    }
}
