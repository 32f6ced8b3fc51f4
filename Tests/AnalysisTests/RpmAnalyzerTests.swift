import Foundation
import Testing
@testable import Analysis

@Suite struct RpmAnalyzerTests {
    let analyzer = RpmAnalyzer()

    /// The committed databases (see Fixtures/rpm/README.md) and the path each is analyzed as.
    static let databases: [(fixture: String, path: String)] = [
        ("rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"),
        ("rpm/Packages", "/var/lib/rpm/Packages"),
        ("rpm/Packages-be-1k", "/var/lib/rpm/Packages"),
        ("rpm/Packages-chksum-512", "/usr/lib/sysimage/rpm/Packages"),
        ("rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"),
    ]

    /// `rpm -qa --qf '%{NAME}\t%{EVR}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%{MODULARITYLABEL}\n'`,
    /// without the gpg-pubkey entry (an imported key; checked on its own below).
    static func expectedRows() throws -> [[String]] {
        try OSFixtures.tsv("rpm/expected.tsv").filter { $0[0] != "gpg-pubkey" }
    }

    @Test func wantsDatabasesInTheKnownDirectories() {
        for directory in ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/"] {
            for name in ["Packages", "Packages.db", "rpmdb.sqlite"] {
                #expect(analyzer.wants(FileHeader(path: directory + name, size: 1)), "\(directory + name)")
            }
            #expect(!analyzer.wants(FileHeader(path: directory + "Name", size: 1)))
            #expect(!analyzer.wants(FileHeader(path: directory + "rpmdb.sqlite-wal", size: 1)))
        }
        #expect(!analyzer.wants(FileHeader(path: "/var/lib/rpm/sub/Packages", size: 1)))
        #expect(!analyzer.wants(FileHeader(path: "/opt/var/lib/rpm/Packages", size: 1)))
    }

    @Test(arguments: databases.map(\.fixture))
    func packagesMatchRpmQuery(fixture: String) async throws {
        let path = try #require(Self.databases.first { $0.fixture == fixture }).path
        let inMemory = try await analyzer.osFindings(at: path, try OSFixtures.data(fixture))
        let spilled = try await analyzer.osFindings(at: path, file: OSFixtures.url(fixture))
        #expect(inMemory == spilled)

        let rows = try Self.expectedRows()
        #expect(rows.count == 5)
        // Imported signing keys are listed as packages by rpm, Syft and Trivy alike.
        let key = try #require(OSFixtures.tsv("rpm/expected.tsv").first { $0[0] == "gpg-pubkey" })
        #expect(inMemory.packages.filter { $0.name == "gpg-pubkey" }.map(\.version) == [key[1]])
        let packages = inMemory.packages.filter { $0.name != "gpg-pubkey" }.sorted { $0.name < $1.name }
        #expect(packages.map(\.name) == rows.map { $0[0] })
        for (package, row) in zip(packages, rows) {
            #expect(package.type == .rpm)
            #expect(package.version == row[1])
            #expect(package.arch == row[2])
            #expect(package.properties["sourceRpm"] == row[3])
            #expect(package.licenses == [row[4]])
            #expect(package.properties["modularityLabel"] == (row[5] == "(none)" ? nil : row[5]))
            #expect(package.location == path)
        }
        // Source packages, spelled out: the binary's epoch (present even when 0) goes with them.
        let sources = Dictionary(uniqueKeysWithValues: packages.map { ($0.name, "\($0.sourceName ?? "-") \($0.sourceVersion ?? "-")") })
        #expect(sources == [
            "manyfiles": "manyfiles 0.1-1",
            "modular": "modular 18.1-3.module+el9.1.0+12+abcdef12",
            "tiny": "tiny 0:1.0-1.el9",
            "tiny-libs": "tiny 0:1.0-1.el9",
            "withepoch-data": "withepoch 2:3.4.5-7.el9",
        ])
    }

    @Test(arguments: databases.map(\.fixture))
    func ownedFilesMatchRpmQuery(fixture: String) async throws {
        let path = try #require(Self.databases.first { $0.fixture == fixture }).path
        let findings = try await analyzer.osFindings(at: path, try OSFixtures.data(fixture))
        var expected: [String: String] = [:]
        for row in try OSFixtures.tsv("rpm/expected-files.tsv") { expected[row[0]] = "rpm:\(row[1])" }
        #expect(expected.count == 127)
        #expect(findings.ownedFiles == expected)
    }

    /// The shared rpm images: Rocky 8 look-alikes, SQLite and Berkeley DB, against the `rpm -qa`
    /// the image build recorded (name-version-release.arch; epochs are not in that format).
    @Test(.enabled(if: OSFixtures.sharedImageExists("rpm-qa.txt")),
          arguments: ["rootfs-rpm/var/lib/rpm/rpmdb.sqlite", "rootfs-rpm-bdb/var/lib/rpm/Packages"])
    func sharedImagesMatchRpmQuery(database: String) async throws {
        let url = OSFixtures.sharedImageFile(database)
        try #require(FileManager.default.fileExists(atPath: url.path))
        let expected = try String(contentsOf: OSFixtures.sharedImageFile("rpm-qa.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).sorted()
        let findings = try await analyzer.osFindings(at: "/var/lib/rpm/" + url.lastPathComponent, file: url)
        let nevra = findings.packages.map { package -> String in
            let version = package.version.split(separator: ":", maxSplits: 1).last.map(String.init) ?? package.version
            return "\(package.name)-\(version)" + (package.arch.map { ".\($0)" } ?? "")
        }.sorted()
        #expect(nevra == expected)
        #expect(expected.count == 23)
        let openssl = try #require(findings.packages.first { $0.name == "openssl-libs" })
        #expect(openssl.version == "1:1.1.1k-7.el8_6" && openssl.sourceName == "openssl" && openssl.sourceVersion == "1:1.1.1k-7.el8_6")
        let glibc = try #require(findings.packages.first { $0.name == "glibc" })
        #expect(glibc.version == "2.28-211.el8")
        let node = try #require(findings.packages.first { $0.name == "nodejs" })
        #expect(node.properties["modularityLabel"] == "nodejs:18:8080020230411000000:a4b6d3be")
        #expect(findings.ownedFiles["/usr/lib64/libcrypto.so.1.1.1k"] == "rpm:openssl-libs")
    }

    @Test func sourceRPMNames() {
        #expect(RpmInstalledPackage.splitSourceRPM("openssl-1.1.1k-7.el8_6.src.rpm")! == ("openssl", "1.1.1k", "7.el8_6"))
        #expect(RpmInstalledPackage.splitSourceRPM("python3.11-3.11.2-2.el9.nosrc.rpm")! == ("python3.11", "3.11.2", "2.el9"))
        #expect(RpmInstalledPackage.splitSourceRPM("nodash.src.rpm") == nil)
        #expect(RpmInstalledPackage.splitSourceRPM("") == nil)
    }
}
