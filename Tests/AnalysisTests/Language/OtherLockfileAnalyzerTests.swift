import Foundation
import Testing
@testable import Analysis

@Suite struct ComposerAnalyzerTests {
    let analyzer = ComposerAnalyzer()

    /// Written by Composer 2.5.5 (`composer install` with path repositories, README.md);
    /// `composer show --locked` and `composer show --no-dev` list the same.
    @Test func composerLock() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/var/www/composer.lock", fixture: "composer/app/composer.lock")
        #expect(LanguageFixtures.summary(packages) == ["acme/http v2.1.0", "acme/testkit 0.9.0 dev", "acme/util 1.4.2"])
        #expect(packages.map(\.licenses) == [["MIT"], ["BSD-3-Clause", "MIT"], ["Apache-2.0"]])
        #expect(packages.allSatisfy { $0.type == .composer })
    }

    @Test func installedJSON() async throws {
        let v2 = try await LanguageFixtures.packages(
            analyzer, path: "/var/www/vendor/composer/installed.json", fixture: "composer/app/vendor/composer/installed.json")
        #expect(LanguageFixtures.summary(v2) == ["acme/http v2.1.0", "acme/testkit 0.9.0 dev", "acme/util 1.4.2"])
        let v1 = try await LanguageFixtures.packages(
            analyzer, path: "/app/vendor/composer/installed.json", fixture: "composer/composer1/vendor/composer/installed.json")
        #expect(LanguageFixtures.summary(v1) == ["monolog/monolog 1.25.1", "symfony/polyfill-ctype v1.12.0"])
    }

    @Test func badInput() async {
        for (path, text) in [("/a/composer.lock", "[]"), ("/a/composer.lock", "{"), ("/a/vendor/composer/installed.json", #"{"x": 1}"#),
                             ("/a/vendor/composer/installed.json", "7"), ("/a/composer.lock", String(repeating: "[", count: 100_000))] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: path, text: text) }
        }
    }
}

@Suite struct DotnetDepsAnalyzerTests {
    let analyzer = DotnetDepsAnalyzer()

    /// Hand-written in the documented deps.json layout (README.md).
    @Test func depsJSON() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/app/FixtureApp.deps.json", fixture: "dotnet/app/FixtureApp.deps.json")
        #expect(LanguageFixtures.summary(packages) == [
            "Microsoft.Extensions.Logging.Abstractions 8.0.0", "Microsoft.NETCore.App.Runtime.linux-x64 8.0.1",
            "Newtonsoft.Json 13.0.1", "System.Text.Json 8.0.0",
        ])
        #expect(packages.allSatisfy { $0.type == .nuget })
    }

    @Test func wrongTypesAndBadInput() async throws {
        let odd = #"{"libraries": {"NoSlash": {"type": "package"}, "A/1.0": {"type": 3}, "B/": {"type": "package"}, "C/2.0": {"type": "Package"}, "D/1": "x"}}"#
        #expect(LanguageFixtures.summary(try await LanguageFixtures.packages(analyzer, path: "/a/x.deps.json", text: odd)) == ["C 2.0"])
        #expect(try await LanguageFixtures.packages(analyzer, path: "/a/x.deps.json", text: "{}").isEmpty)
        for text in ["", "[]", "{\"libraries\": ", String(repeating: "{\"a\":", count: 1_000)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: "/a/x.deps.json", text: text) }
        }
    }
}

@Suite struct CargoLockAnalyzerTests {
    let analyzer = CargoLockAnalyzer()

    /// Written by Cargo 1.95 (`cargo generate-lockfile`, README.md); `cargo metadata` lists the
    /// same packages and sources.
    @Test func cargoLock() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/src/app/Cargo.lock", fixture: "cargo/app/Cargo.lock")
        #expect(LanguageFixtures.summary(packages) == ["app 0.1.0", "gitdep 0.4.1", "helper 1.2.0", "tinydep 0.3.7"])
        #expect(packages.map { $0.properties["source"] ?? "-" } == [
            "-", "git+file:///tmp/cargofx/gitdep#cb851ee13268e09a3ed9da8f15adced7b3cf2ed6", "-",
            "registry+https://github.com/rust-lang/crates.io-index",
        ])
        #expect(packages.allSatisfy { $0.type == .cargo })
    }

    @Test func oldFormatWithMetadataTable() async throws {
        let packages = try await LanguageFixtures.packages(analyzer, path: "/src/old/Cargo.lock", fixture: "cargo/old-format/Cargo.lock")
        #expect(LanguageFixtures.summary(packages) == ["cfg-if 0.1.10", "fixture-old 0.1.0", "libc 0.2.66", "log 0.4.8"])
    }

    @Test func tomlOddities() async throws {
        let text = """
            version = 3
            [[package]]
            name = 'literal'   # comment with "quote
            version = "1.0.0"
            dependencies = [ "a [x]",
             "b",
            ]
            checksum = \"\"\"
            name = "inside-multiline"
            \"\"\"

            [[package]]
            name = "esc\\"aped"
            version = "2.0.0"
            [[package]]
            version = "3.0.0"
            [[package]]
            name = "no-version"
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/Cargo.lock", text: text)
        #expect(LanguageFixtures.summary(packages) == ["esc\"aped 2.0.0", "literal 1.0.0"])
    }

    @Test func badInput() async throws {
        #expect(try await LanguageFixtures.packages(analyzer, path: "/a/Cargo.lock", text: "# only a comment\n").isEmpty)
        #expect(try await LanguageFixtures.packages(analyzer, path: "/a/Cargo.lock", text: "dependencies = [\n" + String(repeating: "[", count: 100_000)).isEmpty)
        for bytes in [Data([0x00, 0xFF, 0x13]), Data("just words\nmore words\n".utf8)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: "/a/Cargo.lock", bytes: bytes) }
        }
    }
}
