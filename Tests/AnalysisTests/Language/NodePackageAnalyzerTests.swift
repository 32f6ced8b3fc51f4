import Foundation
import Testing
@testable import Analysis

@Suite struct NodePackageAnalyzerTests {
    let analyzer = NodePackageAnalyzer()

    /// Expected values read from the same files with Python's json module (README.md).
    @Test func realPackageJSONFiles() async throws {
        let result = try await LanguageFixtures.tree(analyzer, LanguageFixtures.url("node"))
        #expect(result.wanted.count == 8)
        #expect(Array(result.errors.keys) == ["/opt/app/node_modules/broken/package.json"])
        let found = result.packages.map { "\($0.location)|\($0.name)|\($0.version)|\($0.licenses.joined(separator: ";"))" }.sorted()
        #expect(found == [
            "/opt/app/node_modules/legacy-license/package.json|legacy-license|0.2.1|BSD-2-Clause",
            "/opt/app/package.json|oracle-test-app|1.0.0|",
            "/usr/lib/node_modules/npm/package.json|npm|10.8.2|Artistic-2.0",
            "/usr/share/nodejs/@types/debug/package.json|@types/debug|4.1.7|MIT",
            "/usr/share/nodejs/json-stringify-safe/node_modules/kindof/package.json|kindof|2.0.0|LAGPL",
            "/usr/share/nodejs/ms/package.json|ms|2.1.3|MIT",
        ])
        #expect(result.packages.allSatisfy { $0.type == .npm })
    }

    @Test func fieldsOfTheWrongTypeYieldNothing() async throws {
        let path = "/app/node_modules/x/package.json"
        #expect(try await LanguageFixtures.packages(analyzer, path: path, text: #"{"name": 3, "version": "1.0.0"}"#).isEmpty)
        #expect(try await LanguageFixtures.packages(analyzer, path: path, text: #"{"name": "x", "version": ""}"#).isEmpty)
        let odd = try await LanguageFixtures.packages(
            analyzer, path: path, text: "\u{FEFF}" + #"{"name": "x", "version": "1.0.0", "license": null, "licenses": ["MIT", {"type": "ISC"}, 7]}"#)
        #expect(odd.first?.licenses == ["MIT", "ISC"])
    }

    @Test func deepButValidJSONIsDecodedWithoutCrashing() async throws {
        let deep = String(repeating: #"{"a":"#, count: 500) + "1" + String(repeating: "}", count: 500)
        #expect(try await LanguageFixtures.packages(analyzer, path: "/app/package.json", text: deep).isEmpty)
    }

    @Test func badInput() async {
        let path = "/app/package.json"
        for text in ["", "not json", "[1, 2]", #"{"name": "x""#, String(repeating: "[", count: 100_000),
                     String(repeating: #"{"a":"#, count: 5_000)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: path, text: text) }
        }
    }
}
