import Testing
import Versioning

@Suite struct EcosystemDetailTests {
    @Test(arguments: [
        ("v0.0.0-20191109021931-daa7c04131f5", true),
        ("v1.2.4-0.20191109021931-daa7c04131f5", true),
        ("v1.2.3-pre.0.20191109021931-daa7c04131f5", true),
        ("v1.2.3", false),
        ("v1.2.3-20191109021931-daa7c04131f5", false),
        ("v2.0.0+incompatible", false),
    ])
    func goPseudoVersions(_ version: String, _ pseudo: Bool) throws {
        #expect(try GoModuleVersion(version).isPseudoVersion == pseudo)
    }

    @Test func goIncompatible() throws {
        #expect(try GoModuleVersion("v2.3.0+incompatible").isIncompatible)
        #expect(try !GoModuleVersion("v2.3.0").isIncompatible)
    }

    @Test(arguments: [
        ("1:2.36-9+deb12u4", "1", "2.36", "9+deb12u4"),
        ("2.36", "0", "2.36", ""),
        ("1.0-2-3", "0", "1.0-2", "3"),
    ])
    func dpkgParts(_ s: String, _ epoch: String, _ upstream: String, _ revision: String) throws {
        let v = try DpkgVersion(s)
        #expect(String(v.epoch) == epoch && v.upstream == upstream && v.revision == revision)
    }

    @Test(arguments: ["", "1:", ":1", "a:1", "1.0-", "-1", "1 0"])
    func dpkgRejects(_ s: String) {
        #expect(throws: VersionParseError.self) { try DpkgVersion(s) }
    }

    @Test(arguments: [("1.0-rc1", "1.0.0.0-RC1"), ("v2.3", "2.3.0.0"), ("1.x-dev", "1.9999999.9999999.9999999-dev"),
                      ("1.0.0-b2", "1.0.0.0-beta2"), ("1.0-pl3", "1.0.0.0-patch3"), ("dev-main", "dev-main"), ("2010-01-02", "2010.01.02")])
    func composerNormalisation(_ input: String, _ normalized: String) throws {
        #expect(try ComposerVersion(input).normalized == normalized)
    }

    @Test(arguments: [("1.0.0.Final", "1"), ("1-SNAPSHOT", "1-snapshot"), ("1.0-alpha-1", "1-alpha-1"), ("1.a1", "1-alpha-1")])
    func mavenCanonical(_ input: String, _ canonical: String) throws {
        #expect(try MavenVersion(input).canonical == canonical)
    }

    @Test func uniformEntryPointAgreesWithTypes() throws {
        #expect(try compare("1.0~rc1", "1.0", in: .dpkg) == .less)
        #expect(try VersionComparator.compare("1.0a1", "1.0", in: .pep440) == .less)
        #expect(try VersionComparator(.rubygems).compare("1.0.a", "1.0") == .less)
        #expect(try DpkgVersion("1.0~rc1") < DpkgVersion("1.0"))
        #expect(try PEP440Version("1.0.0") == PEP440Version("1.0"))
    }

    @Test func rangeDescriptionsAreReadable() throws {
        #expect(try VersionRange.npm("^1.2.3").description == ">=1.2.3 <2.0.0-0")
        #expect(try VersionRange.maven("[1.0,2.0),[3.0,)").description == ">=1.0 <2.0 || >=3.0")
        #expect(VersionRange.none.description == "<none>")
    }

    @Test(arguments: [("npm", "1.2.3 - "), ("maven", "[1.0"), ("maven", "[2.0,1.0]"), ("nuget", "(1.0)"), ("rubygems", "~>"), ("cargo", "")])
    func malformedRangesThrow(_ ecosystem: String, _ text: String) throws {
        let eco = try #require(Ecosystem(rawValue: ecosystem))
        #expect(throws: VersionParseError.self) { try VersionRange.parse(text, ecosystem: eco) }
    }
}

@Suite struct GoPseudoVersionTableTests {
    /// `version<TAB>1|0` as golang.org/x/mod/module.IsPseudoVersion answers.
    @Test func pseudoVersionDetectionMatchesXMod() throws {
        let rows = try loadTable("go_pseudo.tsv")
        var failures: [String] = []
        for row in rows {
            guard row.fields.count == 2 else { failures.append("\(row) (malformed row)"); continue }
            do {
                let got = try GoModuleVersion(row.fields[0]).isPseudoVersion
                if got != (row.fields[1] == "1") { failures.append("\(row): got \(got)") }
            } catch {
                failures.append("\(row): threw \(error)")
            }
        }
        expectNoFailures(failures, of: rows.count, table: "go_pseudo.tsv")
    }
}
