import DrydockTestSupport
import Foundation
import Testing
@testable import Analysis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unpacked trees of the shared test images (scripts/analysis-images.sh, `_work/rootfs-*`),
/// when they have been built: the analyzers against real Debian jars and Go binaries, compared
/// with what `go version -m` and `unzip` say about the same files. Skipped when the trees are
/// absent (the "large" image's tree is needed: WITH_LARGE=1).
enum SharedImages {
    static let work: URL? = {
        let candidates = [URL(fileURLWithPath: AnalysisImages.directory).appendingPathComponent("_work")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(".stamp-layer-6").path) }
    }()

    static func rootfs(_ name: String) -> URL? {
        work?.appendingPathComponent(name)
    }

    /// Regular files of one of the trees the tests read (symlinks not followed), with the header
    /// an image layer would give. Listed once (lstat directly: FileManager's attributes also look
    /// up owner names, which makes 55,000 files take seconds).
    static func files(in tree: String) -> [(header: FileHeader, url: URL)] {
        trees[tree] ?? []
    }

    private static let trees: [String: [(header: FileHeader, url: URL)]] = Dictionary(
        uniqueKeysWithValues: ["rootfs-4-app", "rootfs-6-large"].map { ($0, rootfs($0).map(list) ?? []) })

    private static func list(_ root: URL) -> [(header: FileHeader, url: URL)] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var result: [(FileHeader, URL)] = []
        for case let relative as String in enumerator {
            let url = root.appendingPathComponent(relative)
            var info = stat()
            guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            result.append((FileHeader(path: "/" + relative, size: Int64(info.st_size), mode: UInt32(info.st_mode) & 0o7777), url))
        }
        return result
    }
}

@Suite(.enabled(if: SharedImages.work != nil, "shared test images not built (see /work/shared/images/README.md)"))
struct RealImageTests {
    /// The application layer's jars, whose contents mkapp.py pins.
    @Test func applicationLayerJars() async throws {
        let root = try #require(SharedImages.rootfs("rootfs-4-app"))
        let analyzer = JavaArchiveAnalyzer()
        func scan(_ path: String) async throws -> [Found] {
            let url = root.appendingPathComponent(String(path.dropFirst()))
            let header = FileHeader(path: path, size: 0)
            return try await analyzer.analyze(header, .file(url)).packages.found
        }
        #expect(try await scan("/opt/app/app.jar") == [
            Found("org.example.oracle:oracle-app", "1.0.0"),
            Found("commons-collections:commons-collections", "3.2.2",
                  ["nestedPath": "BOOT-INF/lib/commons-collections-3.2.2.jar", "identifiedBy": "manifest"]),
            Found("org.yaml:snakeyaml", "1.33", ["nestedPath": "BOOT-INF/lib/snakeyaml-1.33.jar"]),
        ])
        #expect(try await scan("/opt/app/lib/jsoup-1.14.2.jar") == [Found("org.jsoup:jsoup", "1.14.2", ["identifiedBy": "manifest"])])
        #expect(try await scan("/opt/app/lib/log4j-core-2.14.1.jar") == [Found("org.apache.logging.log4j:log4j-core", "2.14.1")])
        #expect(try await scan("/opt/app/lib/spring-core-5.3.17.jar") == [Found("org.springframework:spring-core", "5.3.17")])
    }

    /// Every Go binary of the large image (Debian's Go toolchain) read as `go version -m` reads it,
    /// and no other file taken for one.
    @Test(.enabled(if: Tool.find("go") != nil, "needs the go toolchain"))
    func goBinariesAgreeWithGoVersion() async throws {
        let root = try #require(SharedImages.rootfs("rootfs-6-large"))
        // `go version -m DIR` walks DIR and prints a block per Go binary: "PATH: goX" then tab lines.
        let output = try Tool.run("go", ["version", "-m", root.path])
        var expected: [String: [GoVersionOutput.Module]] = [:]
        var block: [Substring] = []
        func flush() {
            guard let first = block.first, let colon = first.range(of: ": ", options: .backwards) else { return }
            let path = String(first[..<colon.lowerBound].dropFirst(root.standardizedFileURL.path.count))
            expected[path] = GoVersionOutput(block.joined(separator: "\n")).packages
        }
        for line in output.split(separator: "\n") {
            if !line.hasPrefix("\t") { flush(); block = [] }
            block.append(line)
        }
        flush()
        #expect(expected.count >= 10)

        let analyzer = GoBinaryAnalyzer()
        var found: [String: [GoVersionOutput.Module]] = [:]
        for (header, url) in SharedImages.files(in: "rootfs-6-large") where analyzer.wants(header) {
            let packages = try await analyzer.analyze(header, .file(url)).packages
            if !packages.isEmpty { found[header.path] = packages.map(GoVersionOutput.Module.init) }
        }
        #expect(found == expected)
    }

    /// Every Java archive of the large image: the packages from pom.properties are those `unzip`
    /// extracts, and an archive without any is identified from its manifest or name.
    @Test(.enabled(if: Tool.find("unzip") != nil, "needs unzip"))
    func javaArchivesAgreeWithUnzip() async throws {
        let analyzer = JavaArchiveAnalyzer()
        var checked = 0
        for (header, url) in SharedImages.files(in: "rootfs-6-large") where analyzer.wants(header) {
            let entries = try Tool.run("unzip", ["-Z1", url.path]).split(separator: "\n").map(String.init)
            var expected: [Found] = []
            for entry in entries where JavaArchiveScanner.pomPropertiesCoordinates(entry) != nil {
                var fields: [String: String] = [:]
                for line in try Tool.run("unzip", ["-p", url.path, entry]).split(whereSeparator: \.isNewline) {
                    guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
                    fields[line[..<equals].trimmingCharacters(in: .whitespaces)] =
                        line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                }
                if let version = fields["version"], let group = fields["groupId"], let artifact = fields["artifactId"] {
                    expected.append(Found("\(group):\(artifact)", version))
                }
            }
            let packages = try await analyzer.analyze(header, .file(url)).packages.filter { $0.properties["nestedPath"] == nil }
            if expected.isEmpty {
                #expect(packages.count <= 1 && packages.allSatisfy { $0.properties["identifiedBy"] != nil }, "\(header.path)")
            } else {
                #expect(packages.found == expected, "\(header.path)")
            }
            checked += 1
        }
        #expect(checked >= 100)
    }

    /// All three analyzers over every file they want in the application and large images: no
    /// errors on real files (and no crash or hang).
    @Test func noErrorsOnRealFiles() async throws {
        let analyzers: [any Analyzer] = [GoBinaryAnalyzer(), RustAuditableAnalyzer(), JavaArchiveAnalyzer()]
        var failures: [String] = []
        var analyzed = 0
        for name in ["rootfs-4-app", "rootfs-6-large"] {
            for (header, url) in SharedImages.files(in: name) {
                for analyzer in analyzers where analyzer.wants(header) {
                    analyzed += 1
                    do {
                        _ = try await analyzer.analyze(header, .file(url))
                    } catch {
                        failures.append("\(analyzer.name) \(name)\(header.path): \(error)")
                    }
                }
            }
        }
        #expect(failures == [])
        #expect(analyzed > 500)
    }
}
