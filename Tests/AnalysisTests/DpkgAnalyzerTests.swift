import Foundation
import Testing
@testable import Analysis

@Suite struct DpkgAnalyzerTests {
    let analyzer = DpkgAnalyzer()
    static let statusPath = "/var/lib/dpkg/status"

    /// Rows of `dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'`
    /// for the packages the analyzer reports: selection install or hold, state installed,
    /// triggers-pending or triggers-awaited (abbreviations i, t, W).
    static func expectedPackages(_ rows: [[String]], location: String) -> [Package] {
        rows.filter { row in
            let abbrev = Array(row[0])
            return abbrev.count >= 2 && "ih".contains(abbrev[0]) && "itW".contains(abbrev[1])
        }.map { row in
            Package(type: .deb, name: row[1], version: row[2], sourceName: row[4], sourceVersion: row[5],
                    arch: row[3], location: location)
        }.osSortedByNameAndArch()
    }

    @Test func wantsOnlyDpkgDatabaseFiles() {
        let wanted = ["/var/lib/dpkg/status", "/var/lib/dpkg/status.d/libc6", "/var/lib/dpkg/status.d/base-files",
                      "/var/lib/dpkg/info/netbase.list", "/var/lib/dpkg/info/libc6:amd64.list"]
        let unwanted = ["/var/lib/dpkg/status-old", "/var/lib/dpkg/status.d/libc6.md5sums", "/var/lib/dpkg/available",
                        "/var/lib/dpkg/info/libc6:amd64.md5sums", "/var/lib/dpkg/info/sub/x.list",
                        "/var/lib/dpkg/status.d/sub/x", "/usr/var/lib/dpkg/status", "/var/lib/dpkg/info/netbase.list.bak"]
        for path in wanted { #expect(analyzer.wants(FileHeader(path: path, size: 1)), "\(path)") }
        for path in unwanted { #expect(!analyzer.wants(FileHeader(path: path, size: 1)), "\(path)") }
    }

    @Test func statusExcerptMatchesDpkgQuery() async throws {
        let findings = try await analyzer.osFindings(at: Self.statusPath, try OSFixtures.data("dpkg/status-excerpt"))
        let expected = Self.expectedPackages(try OSFixtures.tsv("dpkg/expected-status-excerpt.tsv"), location: Self.statusPath)
        #expect(expected.count == 6)
        #expect(findings.packages.osSortedByNameAndArch() == expected)
        #expect(findings.ownedFiles.isEmpty)
        // Spelled out: a binNMU whose source version differs, and an epoch kept as written.
        let bash = try #require(findings.packages.first { $0.name == "bash" })
        #expect(bash.version == "5.2.15-2+b8" && bash.sourceName == "bash" && bash.sourceVersion == "5.2.15-2")
        let bsdutils = try #require(findings.packages.first { $0.name == "bsdutils" })
        #expect(bsdutils.version == "1:2.38.1-5+deb12u3" && bsdutils.sourceName == "util-linux")
        #expect(bsdutils.sourceVersion == "2.38.1-5+deb12u3" && bsdutils.arch == "amd64")
        let netbase = try #require(findings.packages.first { $0.name == "netbase" })
        #expect(netbase.sourceName == "netbase" && netbase.sourceVersion == "6.4" && netbase.arch == "all")
    }

    @Test func statusStatesKeepOnlyInstalledPackages() async throws {
        let findings = try await analyzer.osFindings(at: Self.statusPath, try OSFixtures.data("dpkg/status-states"))
        let rows = try OSFixtures.tsv("dpkg/expected-status-states.tsv")
        #expect(rows.count == 9)
        let expected = Self.expectedPackages(rows, location: Self.statusPath)
        #expect(expected.map(\.name) == ["activator", "epochal", "held", "keep", "watcher"])
        #expect(findings.packages.osSortedByNameAndArch() == expected)
        // Description continuation lines that look like fields ("Package: not-a-package") are not fields.
        #expect(!findings.packages.contains { $0.name == "not-a-package" || $0.version == "0.0" })
        let epochal = try #require(findings.packages.first { $0.name == "epochal" })
        #expect(epochal.version == "2:4.5-6+b1" && epochal.sourceName == "epochal-src" && epochal.sourceVersion == "2:4.5-6")
    }

    @Test func crlfAndMissingFinalNewlineReadTheSame() async throws {
        let original = try OSFixtures.data("dpkg/status-states")
        let expected = try await analyzer.osFindings(at: Self.statusPath, original).packages
        var crlf = Data()
        for byte in original {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        #expect(try await analyzer.osFindings(at: Self.statusPath, crlf).packages == expected)
        var trimmed = original
        while trimmed.last == 0x0A { trimmed.removeLast() }
        #expect(try await analyzer.osFindings(at: Self.statusPath, trimmed).packages == expected)
        #expect(try await analyzer.osFindings(at: Self.statusPath, Data()).packages.isEmpty)
    }

    @Test func distrolessStatusDirectory() async throws {
        let rows = try OSFixtures.tsv("dpkg/expected-status.d.tsv")
        #expect(rows.map { $0[0] } == ["base-files", "netbase"])
        for row in rows {
            let path = "/var/lib/dpkg/status.d/\(row[0])"
            let findings = try await analyzer.osFindings(at: path, try OSFixtures.data("dpkg/status.d/\(row[0])"))
            #expect(findings.packages == [Package(type: .deb, name: row[0], version: row[1], sourceName: row[3],
                                                  sourceVersion: row[4], arch: row[2], location: path)])
            #expect(!analyzer.wants(FileHeader(path: path + ".md5sums", size: 1)))
        }
    }

    @Test func fileListsMapToTheirPackage() async throws {
        for (list, owner) in [("netbase.list", "deb:netbase"), ("libzstd1:amd64.list", "deb:libzstd1")] {
            let path = "/var/lib/dpkg/info/\(list)"
            let findings = try await analyzer.osFindings(at: path, try OSFixtures.data("dpkg/info/\(list)"))
            let expected = try String(contentsOf: OSFixtures.url("dpkg/expected-\(list).txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(!expected.isEmpty)
            #expect(findings.packages.isEmpty)
            #expect(findings.ownedFiles.keys.sorted() == expected.sorted())
            #expect(Set(findings.ownedFiles.values) == [owner])
        }
    }

    @Test func garbageIsMalformed() async throws {
        await expectOSMalformed(Self.statusPath) {
            try await analyzer.osFindings(at: Self.statusPath, Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        }
        await expectOSMalformed(Self.statusPath) {
            try await analyzer.osFindings(at: Self.statusPath, Data("just some text\nwithout stanzas\n".utf8))
        }
        // A stanza without a version is skipped, not fatal.
        let partial = Data("Package: broken\nStatus: install ok installed\n\nPackage: good\nStatus: install ok installed\nVersion: 1\n".utf8)
        #expect(try await analyzer.osFindings(at: Self.statusPath, partial).packages.map(\.name) == ["good"])
    }

    @Test func stanzaCountIsCapped() throws {
        var parser = DebControlParser(fields: ["package"])
        parser.maxStanzas = 3
        let four = [UInt8]("Package: a\n\nPackage: b\n\nPackage: c\n\nPackage: d\n".utf8)
        #expect(throws: DebControlParser.TooManyStanzas.self) { try parser.stanzas(in: four) }
        #expect(try parser.stanzas(in: Array(four.prefix(36))).count == 3)
    }

    @Test func sourceFieldForms() {
        #expect(DpkgAnalyzer.parseSource("glibc")! == ("glibc", nil))
        #expect(DpkgAnalyzer.parseSource("util-linux (2.38.1-5)")! == ("util-linux", "2.38.1-5"))
        #expect(DpkgAnalyzer.parseSource("  zlib  (1:1.2.13.dfsg-1) ")! == ("zlib", "1:1.2.13.dfsg-1"))
        #expect(DpkgAnalyzer.parseSource("") == nil)
    }

    /// This machine's own dpkg database against dpkg-query, when both exist (Debian hosts).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/var/lib/dpkg/status")
                    && FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-query")))
    func hostStatusMatchesDpkgQuery() async throws {
        try await compareWithDpkgQuery(adminDirectory: "/var/lib/dpkg")
    }

    /// The shared debian-min image's database (debootstrap minbase: 88 packages).
    @Test(.enabled(if: OSFixtures.sharedImageExists("rootfs-1-min/var/lib/dpkg/status")
                    && FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-query")))
    func sharedImageStatusMatchesDpkgQuery() async throws {
        let count = try await compareWithDpkgQuery(adminDirectory: OSFixtures.sharedImageFile("rootfs-1-min/var/lib/dpkg").path)
        #expect(count == 88)
    }

    @discardableResult
    private func compareWithDpkgQuery(adminDirectory: String) async throws -> Int {
        let format = "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n"
        let output = try #require(OSFixtures.run("/usr/bin/dpkg-query", ["--admindir=\(adminDirectory)", "-W", "-f", format]))
        let rows = output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let expected = Self.expectedPackages(rows, location: Self.statusPath)
        let findings = try await analyzer.osFindings(at: Self.statusPath, file: URL(fileURLWithPath: adminDirectory + "/status"))
        #expect(findings.packages.osSortedByNameAndArch() == expected)
        return findings.packages.count
    }
}

extension Array where Element == Package {
    func osSortedByNameAndArch() -> [Package] {
        sorted { ($0.name, $0.arch ?? "") < ($1.name, $1.arch ?? "") }
    }
}
