import Foundation
import Testing
@testable import Analysis

/// Lockfiles written by npm 10.8.2 and yarn 1.22.19 for the same project (npm/make_lockfiles.py).
/// Expected packages: `npm ls --all --json` (npm/npm-ls.json) and `yarnpkg list --json`
/// (yarn/classic/yarn-list.json); npm ls shows the alias `ms-alias`, which is ms 2.1.2.
/// Dev flags: json5 and minimist are the project's devDependencies.
@Suite struct NpmLockAnalyzerTests {
    let analyzer = NpmLockAnalyzer()
    static let shared = ["@types/debug 4.1.7", "@types/ms 0.7.31", "debug 4.3.4", "json5 2.2.3 dev",
                         "minimist 1.2.7 dev", "ms 2.1.2", "ms 2.1.3"]

    @Test(arguments: [2, 3]) func packagesMap(version: Int) async throws {
        let packages = try await LanguageFixtures.packages(
            analyzer, path: "/srv/app/package-lock.json", fixture: "npm/package-lock-v\(version).json")
        #expect(LanguageFixtures.summary(packages) == (Self.shared + ["local-lib 0.1.0"]).sorted())
        #expect(packages.allSatisfy { $0.type == .npm && $0.location == "/srv/app/package-lock.json" })
        #expect(packages.first { $0.name == "debug" }?.licenses == ["MIT"])
        #expect(packages.first { $0.name == "local-lib" }?.licenses == ["ISC"])
    }

    @Test func dependencyTreeV1() async throws {
        let packages = try await LanguageFixtures.packages(
            analyzer, path: "/srv/app/npm-shrinkwrap.json", fixture: "npm/package-lock-v1.json")
        // v1 records the workspace folder only as "file:packages/local-lib", without a version.
        #expect(LanguageFixtures.summary(packages) == Self.shared)
    }

    @Test func skipsRecordsOfTheWrongType() async throws {
        let text = """
            {"lockfileVersion": 3, "packages": {
              "": {"name": "root", "version": "1.0.0"},
              "node_modules/good": {"version": "1.0.0", "dev": true},
              "node_modules/number-version": {"version": 1},
              "node_modules/string-entry": "1.0.0",
              "node_modules/no-version": {},
              "node_modules/linked": {"resolved": "x", "link": true},
              "node_modules/dev-is-not-bool": {"version": "2.0.0", "dev": 1}
            }}
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/package-lock.json", text: text)
        #expect(LanguageFixtures.summary(packages) == ["dev-is-not-bool 2.0.0", "good 1.0.0 dev"])
    }

    @Test func deepV1TreeIsCut() async throws {
        // 200 nested levels (400 JSON levels, under the decoder's limit): read down to maxDepth.
        var text = #"{"version": "1.0.0"}"#
        for level in 0..<200 {
            text = #"{"version": "1.0.\#(level)", "dependencies": {"p\#(level)": \#(text)}}"#
        }
        text = #"{"lockfileVersion": 1, "dependencies": {"top": \#(text)}}"#
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/package-lock.json", text: text)
        #expect(packages.count == NpmLockAnalyzer.maxDepth)
    }

    @Test func badInput() async {
        for text in ["", "{", "[]", #"{"name": "x"}"#, String(repeating: "[", count: 200_000)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: "/a/package-lock.json", text: text) }
        }
    }
}

@Suite struct YarnLockAnalyzerTests {
    let analyzer = YarnLockAnalyzer()

    /// Written by yarn 1.22.19; `yarnpkg list` (yarn/classic/yarn-list.json) shows the same
    /// releases, the alias `ms-alias@npm:ms@2.1.2` being ms 2.1.2. yarn.lock has no dev flags.
    @Test func classic() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/srv/app/yarn.lock", fixture: "yarn/classic/yarn.lock")
        #expect(LanguageFixtures.summary(packages) == ["@types/debug 4.1.7", "@types/ms 0.7.31", "debug 4.3.4", "json5 2.2.3",
                                                       "minimist 1.2.7", "ms 2.1.2", "ms 2.1.3"])
    }

    /// Hand-written in the berry layout (README.md): workspaces and the patch: duplicate of
    /// resolve are not registry packages; the alias reports ms.
    @Test func berry() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/srv/app/yarn.lock", fixture: "yarn/berry/yarn.lock")
        #expect(LanguageFixtures.summary(packages) == ["@types/debug 4.1.7", "@types/ms 0.7.31", "debug 4.3.4",
                                                       "is-core-module 2.11.0", "ms 2.1.2", "ms 2.1.3", "resolve 1.22.1"])
    }

    @Test func classicProtocolsAndBrokenBlocks() async throws {
        let text = """
            # yarn lockfile v1


            local@file:../local:
              version "1.0.0"

            "from-git@git+https://example.invalid/x.git#abc":
              version "2.0.0"

            no-version@^1.0.0:
              resolved "https://registry.yarnpkg.com/no-version/-/no-version-1.0.0.tgz"

            "@scope/ok@^3.0.0", "@scope/ok@^3.1.0":
              version "3.1.4"
              dependencies:
                version "9.9.9"
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/yarn.lock", text: text)
        #expect(LanguageFixtures.summary(packages) == ["@scope/ok 3.1.4"])
    }

    @Test func badInput() async throws {
        #expect(try await LanguageFixtures.packages(analyzer, path: "/a/yarn.lock", text: "# yarn lockfile v1\n\n").isEmpty)
        for bytes in [Data([0x00, 0x01, 0xFF, 0x20, 0x41]), Data(repeating: 0x5B, count: 1 << 20)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: "/a/yarn.lock", bytes: bytes) }
        }
    }
}
