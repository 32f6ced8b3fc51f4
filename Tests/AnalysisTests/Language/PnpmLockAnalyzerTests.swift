import Foundation
import Testing
@testable import Analysis

@Suite struct PnpmLockAnalyzerTests {
    let analyzer = PnpmLockAnalyzer()

    /// Debian's node-browserslist ships pnpm's own 5.4 lockfile for update-browserslist-db;
    /// expected.tsv comes from syft and PyYAML (pnpm/v5/make_expected.py).
    @Test func lockfile5FromDebian() async throws {
        let packages = try await LanguageFixtures.packages(
            analyzer, path: "/srv/update-browserslist-db/pnpm-lock.yaml", fixture: "pnpm/v5/pnpm-lock.yaml")
        let expected = try String(contentsOf: LanguageFixtures.url("pnpm/v5/expected.tsv"), encoding: .utf8)
            .split(separator: "\n").map { line -> String in
                let fields = line.split(separator: "\t")
                return "\(fields[0]) \(fields[1])" + (fields[2] == "dev" ? " dev" : "")
            }.sorted()
        #expect(expected.count == 231)
        #expect(LanguageFixtures.summary(packages) == expected)
    }

    /// Hand-written in the 6.0 layout (README.md): peer suffixes stripped, `dev:` flags kept, a
    /// git-hosted package named by its `name`/`version` fields.
    @Test func lockfile6() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/app/pnpm-lock.yaml", fixture: "pnpm/v6/pnpm-lock.yaml")
        #expect(LanguageFixtures.summary(packages) == ["@types/debug 4.1.7", "@types/ms 0.7.31", "debug 4.3.4", "json5 2.2.3 dev",
                                                       "local-tool 0.5.0 dev", "minimist 1.2.7 dev", "ms 2.1.2", "ms 2.1.3",
                                                       "supports-color 8.1.1"])
    }

    /// Hand-written in the 9.0 layout: dev flags come from the importers' devDependencies
    /// through snapshots; @types/ms is a dev dependency of one importer but reached from the
    /// other's production dependencies, so it is not dev; the alias reaches ms 2.1.2.
    @Test func lockfile9() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/app/pnpm-lock.yaml", fixture: "pnpm/v9/pnpm-lock.yaml")
        #expect(LanguageFixtures.summary(packages) == ["@types/debug 4.1.7", "@types/ms 0.7.31", "debug 4.3.4", "json5 2.2.3 dev",
                                                       "minimist 1.2.7 dev", "ms 2.1.2", "ms 2.1.3", "supports-color 8.1.1"])
    }

    @Test func dependencyPaths() {
        #expect(PnpmLockAnalyzer.parseDependencyPath("/@babel/core/7.18.2_abc", major: 5)! == ("@babel/core", "7.18.2"))
        #expect(PnpmLockAnalyzer.parseDependencyPath("registry.npmjs.org/lodash/4.17.10", major: 5)! == ("lodash", "4.17.10"))
        #expect(PnpmLockAnalyzer.parseDependencyPath("/@babel/core@7.0.0(x@1)(y@2)", major: 6)! == ("@babel/core", "7.0.0"))
        #expect(PnpmLockAnalyzer.parseDependencyPath("ms@2.1.3", major: 9)! == ("ms", "2.1.3"))
        #expect(PnpmLockAnalyzer.parseDependencyPath("foo@https://codeload.github.com/a/b/tar.gz/1", major: 9) == nil)
        #expect(PnpmLockAnalyzer.parseDependencyPath("/@scope-only", major: 6) == nil)
    }

    @Test func multipleDocuments() async throws {
        let text = """
            ---
            lockfileVersion: '9.0'
            importers:
              .:
                configDependencies: {}
            ---
            lockfileVersion: '9.0'
            packages:
              left-pad@1.3.0:
                resolution: {integrity: sha512-x}
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/pnpm-lock.yaml", text: text)
        #expect(LanguageFixtures.summary(packages) == ["left-pad 1.3.0"])
    }

    @Test func badInput() async throws {
        let path = "/a/pnpm-lock.yaml"
        #expect(try await LanguageFixtures.packages(analyzer, path: path, text: "lockfileVersion: 5.4\npackages: [1, 2]\n").isEmpty)
        var aliasBomb = "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x]\n"
        for level in 1..<30 { aliasBomb += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 50).joined(separator: ", ") + "]\n" }
        let deepBlock = (0..<200).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        for text in ["", "lockfileVersion: [", "packages: {}", "\t- : : :\n\u{0}",
                     String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000),
                     "lockfileVersion: '9.0'\nx: " + String(repeating: "{a: ", count: 100_000),
                     deepBlock, aliasBomb] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: path, text: text) }
        }
    }
}
