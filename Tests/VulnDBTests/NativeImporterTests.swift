import Foundation
import Testing
import Versioning
@testable import VulnDB

@Suite struct RubySecTests {
    @Test func gemPatchedAndUnaffected() throws {
        let r = try Fixtures.run(RubySecImporter(), "rubygems/ruby-advisory-db")
        #expect(r.report.records == 4)
        #expect(r.report.skipped == 0)
        let v = try #require(r.vulns.byID("CVE-2008-7248"))
        #expect(v.aliases == ["GHSA-8fqx-7pv4-3jwm"])
        #expect(v.published == "2017-10-24")
        #expect(v.summary == "Improper Input Validation in rails")
        #expect(v.severities == [Severity(source: "ruby-advisory-db", type: .cvssV2, score: 6.8, label: "MEDIUM")])
        let a = try #require(r.affected.of("CVE-2008-7248").first)
        #expect(a.namespace == "rubygems")
        #expect(a.package == "actionpack")
        #expect(a.ecosystem == .rubygems)
        #expect(a.status == .fixed)
        #expect(a.safeConstraints == ["~> 2.1.3", ">= 2.2.2", "< 2.1.0"])
        #expect(a.vulnerableConstraints.isEmpty)
        #expect(a.fixedVersions == ["2.1.3", "2.2.2"])
        #expect(try !a.isAffected(version: "2.0.5"))   // unaffected
        #expect(try a.isAffected(version: "2.1.2"))
        #expect(try !a.isAffected(version: "2.1.3"))
        #expect(try a.isAffected(version: "2.2.1"))
        #expect(try !a.isAffected(version: "2.2.2"))
        #expect(try !a.isAffected(version: "7.0.0"))
    }

    @Test func scoresV3V4AndInterpreters() throws {
        let r = try Fixtures.run(RubySecImporter(), "rubygems/ruby-advisory-db")
        #expect(r.vulns.byID("CVE-2023-50725")?.severities == [Severity(source: "ruby-advisory-db", type: .cvssV3, score: 6.3, label: "MEDIUM")])
        #expect(r.vulns.byID("CVE-2026-54659")?.severities == [Severity(source: "ruby-advisory-db", type: .cvssV4, score: 6.9, label: "MEDIUM")])
        let pagy = try #require(r.affected.of("CVE-2026-54659").first)
        #expect(try !pagy.isAffected(version: "42.9"))
        #expect(try pagy.isAffected(version: "43.5.5"))
        #expect(try !pagy.isAffected(version: "43.5.6"))
        let jruby = try #require(r.affected.of("CVE-2010-1330").first)
        #expect(jruby.namespace == RubySecImporter.interpreterNamespace)
        #expect(jruby.package == "jruby")
        #expect(r.vulns.byID("CVE-2010-1330")?.aliases == ["OSVDB-77297"])
        #expect(try jruby.isAffected(version: "1.4.0"))
        #expect(try !jruby.isAffected(version: "1.4.1"))
    }

    @Test func malformedRubysec() throws {
        let r = try Fixtures.run(RubySecImporter(), "malformed/rubysec")
        #expect(r.report.records == 1)
        #expect(r.report.skipped == 3)
        #expect(r.report.skippedSamples.contains { $0.contains("cvss_v3 is not a score") })
        #expect(r.report.skippedSamples.contains { $0.contains("patched_versions is a mapping") })
        #expect(r.report.skippedSamples.contains { $0.contains("not a mapping") })
    }

    @Test func lowerBounds() {
        #expect(RubySecImporter.lowerBound(of: "~> 5.2.4, >= 5.2.4.3") == "5.2.4.3")
        #expect(RubySecImporter.lowerBound(of: "< 2.0") == nil)
    }
}

@Suite struct FriendsOfPHPTests {
    @Test func branchSet() throws {
        let r = try Fixtures.run(FriendsOfPHPImporter(), "packagist/friendsofphp-security-advisories")
        #expect(r.report.records == 2)
        let a = try #require(r.affected.of("CVE-2020-15094").first)
        #expect(a.namespace == "packagist")
        #expect(a.package == "symfony/symfony")
        #expect(a.ecosystem == .composer)
        #expect(a.vulnerableConstraints == [">=4.3.0,<4.4.0", ">=4.4.0,<4.4.13", ">=5.0.0,<5.1.0", ">=5.1.0,<5.1.5"])
        #expect(a.fixedVersions == ["4.4.0", "4.4.13", "5.1.0", "5.1.5"])
        #expect(a.status == .fixed)
        #expect(try a.isAffected(version: "4.4.12"))
        #expect(try !a.isAffected(version: "4.4.13"))
        #expect(try a.isAffected(version: "5.1.4"))
        #expect(try !a.isAffected(version: "5.1.5"))
        #expect(try !a.isAffected(version: "4.2.9"))
        let v = try #require(r.vulns.byID("CVE-2020-15094"))
        #expect(v.published == "2020-09-02 08:00:00")
        #expect(v.references == ["https://symfony.com/cve-2020-15094"])
    }

    @Test func recordWithoutCVE() throws {
        let r = try Fixtures.run(FriendsOfPHPImporter(), "packagist/friendsofphp-security-advisories")
        let id = "FRIENDSOFPHP-cart2quote/module-quotation/2017-02-01"
        let a = try #require(r.affected.of(id).first)
        #expect(a.vulnerableConstraints == [">=4.1.6,<4.4.6", ">=5.0.0,<5.4.4"])
        #expect(r.vulns.byID(id)?.aliases == [])
    }
}

@Suite struct NodeSecurityWGTests {
    @Test func npmCoreAndDeps() throws {
        let r = try Fixtures.run(NodeSecurityWGImporter(), "npm/nodejs-security-wg")
        #expect(r.report.records == 4)
        #expect(r.report.ignored == 1)  // deps/
        #expect(r.report.skipped == 0)
        let uri = try #require(r.affected.of("NSWG-ECO-100").first)
        #expect(uri.namespace == "npm")
        #expect(uri.package == "uri-js")
        #expect(uri.vulnerableConstraints == ["<=2.1.1"])
        #expect(uri.safeConstraints == [">=3.0.0"])
        #expect(uri.fixedVersions == ["3.0.0"])
        #expect(try uri.isAffected(version: "2.1.1"))
        #expect(try !uri.isAffected(version: "3.0.0"))
        #expect(try !uri.isAffected(version: "2.2.0"))  // neither vulnerable nor patched
        let v = try #require(r.vulns.byID("NSWG-ECO-100"))
        #expect(v.severities.first?.score == 7.5)
        #expect(v.severities.first?.type == .cvssV3)
        #expect(r.vulns.byID("NSWG-ECO-1")?.aliases == ["CVE-2014-7205"])

        let core = try #require(r.affected.of("NSWG-CORE-170").first)
        #expect(core.namespace == NodeSecurityWGImporter.runtimeNamespace)
        #expect(core.package == "node")
        #expect(core.vulnerableConstraints == ["20.x || 22.x || 24.x || 25.x"])
        #expect(core.fixedVersions == ["20.20.2", "22.22.2", "24.14.1", "25.8.2"])
        #expect(try core.isAffected(version: "22.22.1"))
        #expect(try !core.isAffected(version: "22.22.2"))
        #expect(try !core.isAffected(version: "18.20.0"))
        #expect(r.vulns.byID("NSWG-CORE-170")?.severities.first?.label == "LOW")
    }

    /// `module_name: "jQuery"` describes the npm package `jquery` (CVE-2019-11358): recorded
    /// under both spellings, so installed jquery 2.2.4 is matched.
    @Test func mixedCaseModuleNamesAlsoMatchTheLowerCasePackage() async throws {
        let r = try Fixtures.run(NodeSecurityWGImporter(), "npm/nodejs-security-wg")
        #expect(Set(r.affected.of("NSWG-ECO-496").map(\.package)) == ["jQuery", "jquery"])
        #expect(r.vulns.byID("NSWG-ECO-496")?.aliases.contains("CVE-2019-11358") == true)
        // Names already in lower case are recorded once.
        #expect(r.affected.of("NSWG-ECO-100").map(\.package) == ["uri-js"])

        let (path, _) = try await DatabaseTests.buildFixtureDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let db = try await VulnDatabase.open(path: path)
        let jquery = try #require(try await db.affected(namespace: "npm", package: "jquery").first { $0.vulnerabilityID == "NSWG-ECO-496" })
        #expect(try jquery.isAffected(version: "2.2.4"))
        #expect(try !jquery.isAffected(version: "3.4.0"))
        await db.close()
    }
}

@Suite struct VictimsTests {
    @Test func seriesRangesTranslated() {
        #expect(VictimsImporter.mavenRange(fromVictims: "<=1.3.2") == "(,1.3.2]")
        #expect(VictimsImporter.mavenRange(fromVictims: "<=2.7.12,2") == "[2,2.7.12]")
        #expect(VictimsImporter.mavenRange(fromVictims: "<=3.2.8.RELEASE,3.2") == "[3.2,3.2.8.RELEASE]")
        #expect(VictimsImporter.mavenRange(fromVictims: ">=2.3.15.1,2.3.15") == "[2.3.15.1,2.3.16)")
        #expect(VictimsImporter.mavenRange(fromVictims: ">=2.0.0,2") == "[2.0.0,3)")
        #expect(VictimsImporter.mavenRange(fromVictims: "==5.0.3.GA_CP01") == "[5.0.3.GA_CP01]")
        #expect(VictimsImporter.mavenRange(fromVictims: ">=2.9.1-jbossas-2,2.9.1-jbossas-") == "[2.9.1-jbossas-2,2.9.2)")
        #expect(VictimsImporter.mavenRange(fromVictims: "garbage") == nil)
    }

    @Test func strutsSeries() throws {
        let r = try Fixtures.run(VictimsImporter(), "maven/victims-cve-db")
        #expect(r.report.records == 2)
        #expect(r.report.skipped == 0)
        let a = try #require(r.affected.of("CVE-2013-2251").first)
        #expect(a.namespace == "maven")
        #expect(a.package == "org.apache.struts:struts2-core")
        #expect(a.vulnerableConstraints == ["[2,2.3.15]"])
        #expect(a.safeConstraints == ["[2.3.15.1,2.3.16)"])
        #expect(a.fixedVersions == ["2.3.15.1"])
        #expect(try a.isAffected(version: "2.3.15"))
        #expect(try a.isAffected(version: "2.0.5"))
        #expect(try !a.isAffected(version: "2.3.15.1"))
        #expect(try !a.isAffected(version: "1.3.10"))  // outside the 2 series
        #expect(r.vulns.byID("CVE-2013-2251")?.severities.first?.score == 6.8)

        let x = try #require(r.affected.of("CVE-2009-2625").first)
        #expect(x.package == "xerces:xercesImpl")
        #expect(try x.isAffected(version: "2.9.1"))
        #expect(try x.isAffected(version: "2.9.1-jbossas-1"))
        #expect(try !x.isAffected(version: "2.9.1-jbossas-2"))
        #expect(try !x.isAffected(version: "2.10.0"))
    }
}

@Suite struct AlpineTests {
    /// Wolfi's database: Alpine's format without `distroversion`; the namespace comes from the
    /// repository's URL prefix, as the matcher expects for Wolfi images (`wolfi`).
    @Test func wolfiSecurityDatabase() async throws {
        let r = try Fixtures.run(AlpineSecDBImporter(), "wolfi")
        #expect(r.report.skipped == 0)
        let openssl = r.affected.filter { $0.package == "openssl" }
        #expect(openssl.allSatisfy { $0.namespace == "wolfi" && $0.ecosystem == .apk })
        let fixed = try #require(openssl.first { $0.vulnerabilityID == "CVE-2024-0727" })
        #expect(fixed.fixedVersions == ["3.2.1-r0"])
        #expect(try fixed.isAffected(version: "3.2.0-r3"))
        #expect(try !fixed.isAffected(version: "3.2.1-r0"))
        #expect(r.affected.first { $0.vulnerabilityID == "CVE-2022-28391" }?.status == .notAffected)
        #expect(AlpineSecDBImporter.namespace(urlPrefix: "https://packages.cgr.dev") == "chainguard")
        #expect(AlpineSecDBImporter.namespace(urlPrefix: "https://packages.wolfi.dev") == "wolfi")
        #expect(AlpineSecDBImporter.namespace(urlPrefix: "https://example.com") == nil)
        #expect(AlpineSecDBImporter.recognizes(directory: Fixtures.url("wolfi")))

        let (path, _) = try await DatabaseTests.buildFixtureDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let db = try await VulnDatabase.open(path: path)
        #expect(try await db.affected(namespace: "wolfi", package: "openssl").contains { $0.vulnerabilityID == "CVE-2023-5363" })
        await db.close()
    }

    @Test func zeroKeyAndMultiTokenIDs() throws {
        let r = try Fixtures.run(AlpineSecDBImporter(), "alpine/alpine-secdb-legacy")
        #expect(r.report.skipped == 0)
        let db = r.affected.filter { $0.package == "db" && $0.vulnerabilityID == "CVE-2016-0682" }
        #expect(db.count == 1)
        #expect(db.first?.status == .notAffected)
        #expect(db.first?.namespace == "alpine:3.8")
        #expect(db.first?.ranges == [])
        #expect(try db.first?.isAffected(version: "4.1.1-r0") == false)

        let talos = r.affected.filter { $0.vulnerabilityID == "TALOS-2017-0488" }
        #expect(!talos.isEmpty)
        #expect(r.vulns.byID("TALOS-2017-0488")?.aliases == ["CVE-2017-12122"])
        #expect(r.vulns.byID("CVE-2017-12122")?.aliases == ["TALOS-2017-0488"])

        let webkit = try #require(r.affected.first { $0.package == "webkit2gtk" && $0.vulnerabilityID == "CVE-2016-4622" })
        #expect(webkit.namespace == "alpine:3.4")
        #expect(webkit.ecosystem == .apk)
        #expect(webkit.status == .fixed)
        #expect(webkit.ranges == [[.introduced("0"), .fixed("2.12.5-r0")]])
        #expect(webkit.fixedVersions == ["2.12.5-r0"])
        #expect(try webkit.isAffected(version: "2.12.4-r3"))
        #expect(try !webkit.isAffected(version: "2.12.5-r0"))
        #expect(try !webkit.isAffected(version: "2.14.0-r0"))
    }

    @Test func nullPackagesAndJunk() throws {
        let r = try Fixtures.run(AlpineSecDBImporter(), "malformed/alpine")
        // good: CVE-2019-0001, XSA-300, CVE-2019-0002 (typo recovered) fixed; CVE-2019-0003 never affected.
        #expect(Set(r.vulns.map(\.id)) == ["CVE-2019-0001", "XSA-300", "CVE-2019-0002", "CVE-2019-0003"])
        #expect(r.report.ignored == 2)  // "(prose)" and "CVE-????-?????"
        #expect(r.report.skipped == 2)  // entry without a name, invalid version key
        #expect(r.affected.of("CVE-2019-0003").first?.status == .notAffected)
        #expect(r.affected.of("XSA-300").first?.fixedVersions == ["1.2.3-r0"])
        let empty = try Fixtures.run(AlpineSecDBImporter(), "alpine/alpine-secdb-legacy/v3.3")
        #expect(empty.report.skipped == 0)
    }

    @Test func tokenRules() {
        #expect(AlpineSecDBImporter.usableID("CVE-2019-1234") == "CVE-2019-1234")
        #expect(AlpineSecDBImporter.usableID("CVE_2019-1234") == "CVE-2019-1234")
        #expect(AlpineSecDBImporter.usableID("CVE-2017-17434-1") == "CVE-2017-17434")
        #expect(AlpineSecDBImporter.usableID("CVE-2019-19451.patch") == "CVE-2019-19451")
        #expect(AlpineSecDBImporter.usableID("wnpa-sec-2019-01") == "wnpa-sec-2019-01")
        #expect(AlpineSecDBImporter.usableID("ZBX-1234") == "ZBX-1234")
        #expect(AlpineSecDBImporter.usableID("CVE-????-?????") == nil)
        #expect(AlpineSecDBImporter.usableID("(BGP)") == nil)
        #expect(AlpineSecDBImporter.usableID("fixed,") == nil)
    }
}

@Suite struct DebianTrackerTests {
    @Test func statesAndUrgencies() throws {
        let r = try Fixtures.run(DebianTrackerImporter(), "debian-tracker")
        #expect(r.report.skipped == 0)
        #expect(r.report.records == 5)
        func entry(_ id: String, _ ns: String) -> AffectedPackage? {
            r.affected.first { $0.vulnerabilityID == id && $0.namespace == ns }
        }
        let fixed = try #require(entry("CVE-2023-5678", "debian:12"))
        #expect(fixed.package == "openssl")
        #expect(fixed.ecosystem == .dpkg)
        #expect(fixed.status == .fixed)
        #expect(fixed.fixedVersions == ["3.0.13-1~deb12u1"])
        #expect(try fixed.isAffected(version: "3.0.11-1~deb12u2"))
        #expect(try !fixed.isAffected(version: "3.0.13-1~deb12u1"))
        #expect(entry("CVE-2023-5678", "debian:11")?.status == .fixDeferred)   // plain <no-dsa>
        #expect(entry("CVE-2023-5678", "debian:unstable")?.status == .fixed)
        let unimportant = try #require(entry("CVE-2010-0928", "debian:12"))
        #expect(unimportant.status == .affected)
        #expect(try unimportant.isAffected(version: "3.0.15-1~deb12u1"))
        #expect(r.vulns.byID("CVE-2010-0928")?.severities ==
                [Severity(source: "debian-security-tracker", type: .qualitative, vector: "unimportant", label: "LOW")])
        #expect(entry("CVE-2023-38546", "debian:10")?.status == .willNotFix)  // end-of-life
        let notAffected = try #require(entry("CVE-2024-2379", "debian:12"))
        #expect(notAffected.status == .notAffected)
        #expect(try !notAffected.isAffected(version: "7.88.1-10+deb12u8"))
        #expect(entry("CVE-2024-2379", "debian:13")?.fixedVersions == ["8.7.1-1"])
        #expect(entry("CVE-2023-34152", "debian:12")?.status == .willNotFix)   // ignored
        #expect(entry("CVE-2023-34152", "debian:11")?.status == .fixDeferred)  // postponed
        #expect(entry("CVE-2023-34152", "debian:13")?.status == .affected)     // undetermined
        #expect(r.vulns.byID("CVE-2023-34152")?.severities.compactMap(\.label).sorted() == ["HIGH", "MEDIUM"])
    }

    @Test func truncatedFeedIsSkipped() throws {
        #expect(DebianTrackerImporter.recognizes(directory: Fixtures.url("debian-tracker")))
        let r = try Fixtures.run(DebianTrackerImporter(), "malformed/debian-tracker")
        #expect(r.report.records == 0)
        #expect(r.report.skipped == 1)
        #expect(r.report.skippedSamples.first?.hasPrefix("json: invalid JSON") == true)
        #expect(r.vulns.isEmpty)
    }
}

@Suite struct VictimsPrereleaseSeriesTests {
    @Test func seriesStartingWithItsOwnPrerelease() throws {
        let r = try #require(VictimsImporter.mavenRange(fromVictims: "<=3.0.0.M2,3.0"))
        #expect(r == "[3.0-alpha,3.0.0.M2]")
        let a = AffectedPackage(vulnerabilityID: "X", namespace: "maven", package: "g:a", ecosystem: .maven, status: .affected,
                                vulnerableConstraints: [r])
        #expect(try a.isAffected(version: "3.0.0.M1"))
        #expect(try !a.isAffected(version: "3.0.0.RELEASE"))
        #expect(try !a.isAffected(version: "2.5.6"))
    }

    @Test func unreadableRangeDoesNotHideAMatch() throws {
        let a = AffectedPackage(vulnerabilityID: "X", namespace: "pypi", package: "p", ecosystem: .pep440, status: .affected,
                                ranges: [[.introduced("0"), .lastAffected("2.9.0-NA")], [.introduced("3.0"), .fixed("3.1")]])
        #expect(try a.isAffected(version: "3.0.5"))
        #expect(throws: (any Error).self) { try a.isAffected(version: "1.0") }
    }
}

@Suite struct AlpineJSONTests {
    /// Today's secdb JSON (hand-written in the published shape) goes through the same importer.
    @Test func modernSecdbJSON() throws {
        let r = try Fixtures.run(AlpineSecDBImporter(), "alpine-secdb-json")
        #expect(r.report.skipped == 0)
        #expect(r.report.records == 6)
        let ssl = try #require(r.affected.first { $0.vulnerabilityID == "CVE-2024-6119" })
        #expect(ssl.namespace == "alpine:3.20")
        #expect(ssl.package == "openssl")
        #expect(try ssl.isAffected(version: "3.3.1-r3"))
        #expect(try !ssl.isAffected(version: "3.3.2-r0"))
        #expect(r.affected.first { $0.vulnerabilityID == "CVE-2022-1292" }?.status == .notAffected)
        #expect(r.vulns.byID("CVE-2023-42365")?.aliases == ["CVE-2023-42364"])
    }
}
