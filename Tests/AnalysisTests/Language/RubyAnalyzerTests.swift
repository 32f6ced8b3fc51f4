import Foundation
import Testing
@testable import Analysis

@Suite struct GemspecAnalyzerTests {
    let analyzer = GemspecAnalyzer()

    /// Expected: `Gem::Specification.load(path)` name, version and licenses (README.md).
    @Test func realGemspecs() async throws {
        let result = try await LanguageFixtures.tree(analyzer, LanguageFixtures.url("gemspec"))
        #expect(result.errors.isEmpty)
        let found = result.packages.map { "\($0.location)|\($0.name)|\($0.version)|\($0.licenses.joined(separator: ";"))" }.sorted()
        #expect(found == [
            "/usr/lib/ruby/gems/3.1.0/specifications/default/bundler-2.3.7.gemspec|bundler|2.3.7|MIT",
            "/usr/lib/ruby/gems/3.1.0/specifications/default/uri-0.11.0.gemspec|uri|0.11.0|Ruby;BSD-2-Clause",
            "/usr/lib/ruby/gems/3.1.0/specifications/typeprof-0.21.2.gemspec|typeprof|0.21.2|MIT",
            "/usr/local/lib/ruby/gems/3.1.0/specifications/puma-5.6.4.gemspec|puma|5.6.4|BSD-3-Clause",
            "/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec|rack|2.2.22|MIT",
            "/usr/share/rubygems-integration/all/specifications/xmlrpc-0.3.2.gemspec|xmlrpc|0.3.2|Ruby;BSD-2-Clause",
        ])
        #expect(result.packages.allSatisfy { $0.type == .gem })
    }

    @Test func otherLiteralStyles() async throws {
        let text = """
            # -*- encoding: utf-8 -*-
            Gem::Specification.new do |spec|
              spec.name = %q{caf\\u00E9-tools}
              spec.version = Gem::Version.new("1.0.0.rc2")
              spec.authors = ["Andr\\u00E9".freeze]
              spec.licenses = [
                'MIT',
                %q<Apache-2.0>.freeze,
              ]
              spec.name = "second-assignment-ignored"
            end
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/gems/specifications/cafe-tools-1.0.0.rc2.gemspec", text: text)
        #expect(packages.map(\.name) == ["caf\\u00E9-tools"])
        #expect(packages.first?.version == "1.0.0.rc2")
        #expect(packages.first?.licenses == ["MIT", "Apache-2.0"])
        let single = try await LanguageFixtures.packages(
            analyzer, path: "/gems/specifications/x-1.gemspec",
            text: "Gem::Specification.new do |s|\n  s.name = \"x\\u00E9\"\n  s.version = '1'\n  s.license = \"BSD-2-Clause\"\nend\n")
        #expect(single == [Package(type: .gem, name: "xé", version: "1", licenses: ["BSD-2-Clause"], location: "/gems/specifications/x-1.gemspec")])
    }

    @Test func wantsOnlySpecificationDirectories() {
        #expect(analyzer.wants(FileHeader(path: "/var/lib/gems/3.1.0/specifications/rack-2.2.6.gemspec", size: 1)))
        #expect(!analyzer.wants(FileHeader(path: "/src/rack/rack.gemspec", size: 1)))
    }

    @Test func badInput() async {
        let path = "/gems/specifications/x.gemspec"
        for text in ["", "garbage \u{0}\u{1}", "Gem::Specification.new do |s|\n  s.name = \"x\"\nend\n",
                     "s.name = \"x\"\ns.version = \"#{Foo::VERSION}\"\n", "s.name = \"x\"\ns.version = Foo::VERSION\n",
                     "s.name = \"unterminated\ns.version = \"1\"\n", "s.name = %q{x\ns.version = %q(1"] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: path, text: text) }
        }
    }
}

@Suite struct GemfileLockAnalyzerTests {
    let analyzer = GemfileLockAnalyzer()

    /// Expected: `Bundler::LockfileParser` specs (README.md). app/ was written by `bundle lock
    /// --local` (Bundler 2.3.7) with a platform gem and a PATH gem; steep/ and typeprof/ ship
    /// inside Debian's Ruby gems.
    @Test func realLockfiles() async throws {
        let app = try await LanguageFixtures.packages(analyzer, path: "/srv/app/Gemfile.lock", fixture: "gemfile-lock/app/Gemfile.lock")
        #expect(LanguageFixtures.summary(app) == ["fixture-native 1.0.0", "minitest 5.15.0", "pathgem 0.3.0", "rake 13.0.6"])
        #expect(app.first { $0.name == "fixture-native" }?.properties == ["platform": "x86_64-linux"])
        let steep = try await LanguageFixtures.packages(analyzer, path: "/srv/steep/Gemfile.lock",
                                                        fixture: "gemfile-lock/steep/Gemfile.lock")
        #expect(LanguageFixtures.summary(steep) == [
            "activesupport 6.1.4.1", "ast 2.4.2", "concurrent-ruby 1.1.9", "ffi 1.15.4", "i18n 1.8.11",
            "language_server-protocol 3.16.0.3", "listen 3.7.0", "minitest 5.14.4", "parallel 1.21.0", "parser 3.0.3.1",
            "rainbow 3.0.0", "rb-fsevent 0.11.0", "rb-inotify 0.10.1", "rbs 1.7.1", "steep 0.47.0", "terminal-table 3.0.2",
            "tzinfo 2.0.4", "unicode-display_width 2.1.0", "zeitwerk 2.5.1",
        ])
        let typeprof = try await LanguageFixtures.packages(analyzer, path: "/srv/typeprof/Gemfile.lock",
                                                           fixture: "gemfile-lock/typeprof/Gemfile.lock")
        #expect(LanguageFixtures.summary(typeprof) == [
            "coverage-helpers 1.0.0", "docile 1.4.0", "power_assert 2.0.1", "rake 13.0.1", "rbs 2.0.0", "simplecov 0.21.2",
            "simplecov-html 0.12.3", "simplecov_json_formatter 0.1.3", "stackprof 0.2.17", "test-unit 3.5.3", "typeprof 0.21.2",
        ])
        #expect(typeprof.allSatisfy { $0.type == .gem && $0.properties.isEmpty })
    }

    @Test func gitSectionAndOddLines() async throws {
        let text = """
            GIT
              remote: https://example.invalid/rails.git
              revision: 0123456789abcdef
              specs:
                rails (7.1.0.alpha)
                  actionpack (= 7.1.0.alpha)
                broken-line-without-version
                 five-spaces (1.0)

            GEM
              remote: https://rubygems.org/
              specs:
                nokogiri (1.13.10-x86_64-linux-gnu)
                  racc (~> 1.4)

            DEPENDENCIES
              rails!
              nokogiri (1.0)
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/a/gems.locked", text: text)
        #expect(LanguageFixtures.summary(packages) == ["nokogiri 1.13.10", "rails 7.1.0.alpha"])
        #expect(packages.first?.properties == ["platform": "x86_64-linux-gnu"])
    }

    @Test func badInput() async throws {
        #expect(try await LanguageFixtures.packages(analyzer, path: "/a/Gemfile.lock", text: "\n\n").isEmpty)
        for bytes in [Data([0xDE, 0xAD, 0xBE, 0xEF]), Data("not a lockfile at all\n".utf8)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: "/a/Gemfile.lock", bytes: bytes) }
        }
    }
}
