import Foundation
import Testing
@testable import Analysis

@Suite struct ApkAnalyzerTests {
    let analyzer = ApkAnalyzer()
    static let path = "/lib/apk/db/installed"

    @Test func wantsTheInstalledDatabase() {
        #expect(analyzer.wants(FileHeader(path: "/lib/apk/db/installed", size: 1)))
        #expect(analyzer.wants(FileHeader(path: "/usr/lib/apk/db/installed", size: 1)))
        #expect(!analyzer.wants(FileHeader(path: "/lib/apk/db/triggers", size: 1)))
        #expect(!analyzer.wants(FileHeader(path: "/home/x/lib/apk/db/installed", size: 1)))
    }

    @Test func packagesMatchTheDatabase() async throws {
        let findings = try await analyzer.osFindings(at: Self.path, try OSFixtures.data("apk/installed"))
        let expected = try OSFixtures.tsv("apk/expected.tsv").map { row in
            Package(type: .apk, name: row[0], version: row[1], sourceName: row[3], sourceVersion: row[1],
                    arch: row[2], licenses: [row[4]], location: Self.path)
        }
        #expect(expected.count == 15)
        #expect(findings.packages == expected)
        let ssl = try #require(findings.packages.first { $0.name == "libssl3" })
        #expect(ssl.version == "3.1.2-r0" && ssl.sourceName == "openssl" && ssl.licenses == ["Apache-2.0"])
    }

    @Test func ownedFilesMatchTheDatabase() async throws {
        let findings = try await analyzer.osFindings(at: Self.path, try OSFixtures.data("apk/installed"))
        var expected: [String: String] = [:]
        for row in try OSFixtures.tsv("apk/expected-files.tsv") { expected[row[0]] = "apk:\(row[1])" }
        #expect(expected.count == 70)
        #expect(findings.ownedFiles == expected)
        #expect(findings.ownedFiles["/lib/ld-musl-x86_64.so.1"] == "apk:musl")
    }

    @Test func crlfAndMissingFinalNewlineReadTheSame() async throws {
        let original = try OSFixtures.data("apk/installed")
        let expected = try await analyzer.osFindings(at: Self.path, original)
        var crlf = Data()
        for byte in original {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        #expect(try await analyzer.osFindings(at: Self.path, crlf) == expected)
        var trimmed = original
        while trimmed.last == 0x0A { trimmed.removeLast() }
        #expect(try await analyzer.osFindings(at: Self.path, trimmed) == expected)
    }

    @Test func badInput() async throws {
        await expectOSMalformed(Self.path) {
            try await analyzer.osFindings(at: Self.path, Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]))
        }
        await expectOSMalformed(Self.path) { try await analyzer.osFindings(at: Self.path, Data("no fields here\n".utf8)) }
        // A block without a version is skipped; the others are kept.
        let partial = Data("P:noversion\nA:x86_64\n\nP:ok\nV:1.0-r0\nF:usr/bin\nR:ok\n".utf8)
        let findings = try await analyzer.osFindings(at: Self.path, partial)
        #expect(findings.packages.map(\.name) == ["ok"])
        #expect(findings.packages.first?.sourceName == "ok")
        #expect(findings.ownedFiles == ["/usr/bin/ok": "apk:ok"])
    }
}
