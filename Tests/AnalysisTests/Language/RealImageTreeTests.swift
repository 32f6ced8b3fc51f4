import DrydockTestSupport
import Foundation
import Testing
@testable import Analysis

/// Runs every language analyzer over the unpacked debian-multi image tree that the shared image
/// build leaves at `.cache/analysis-images/_work/rootfs-4-app` (scripts/analysis-images.sh) (Debian bookworm with Python, node
/// and Ruby packages, pip wheels, /opt/app). Skipped when that tree is absent. Expectations come
/// from the tree itself, independently of the analyzers: installers name metadata directories and
/// gemspec files `<name>-<version>`, package.json files are read with JSONSerialization, and the
/// image build's expected.tsv lists packages that must be present.
@Suite struct RealImageTreeTests {
    static let candidates = [AnalysisImages.directory + "/_work/rootfs-4-app"]
    static let rootfs: URL? = candidates.map { URL(fileURLWithPath: $0).standardizedFileURL }
        .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("usr/share/nodejs").path) }

    static let analyzers: [any Analyzer] = [
        PythonPackageAnalyzer(), NodePackageAnalyzer(), NpmLockAnalyzer(), YarnLockAnalyzer(), PnpmLockAnalyzer(),
        GemspecAnalyzer(), GemfileLockAnalyzer(), ComposerAnalyzer(), DotnetDepsAnalyzer(), CargoLockAnalyzer(),
    ]

    @Test(.enabled(if: rootfs != nil, "the shared image tree is not built"))
    func languagePackagesOfTheDebianImage() async throws {
        let rootfs = try #require(Self.rootfs)
        var byAnalyzer: [String: LanguageFixtures.TreeResult] = [:]
        for subtree in ["usr/lib/python3", "usr/local/lib/python3.11", "opt", "usr/share/nodejs",
                        "usr/share/rubygems-integration", "usr/lib/ruby", "usr/local/lib/ruby"] {
            let results = try await LanguageFixtures.tree(Self.analyzers, rootfs.appendingPathComponent(subtree), prefix: "/" + subtree)
            for (name, result) in results {
                byAnalyzer[name, default: .init()].packages += result.packages
                byAnalyzer[name, default: .init()].wanted += result.wanted
                byAnalyzer[name, default: .init()].errors.merge(result.errors) { $1 }
            }
        }

        // Python: every metadata file read, names and versions match the directory names.
        let python = try #require(byAnalyzer["python"])
        #expect(python.errors.isEmpty)
        #expect(python.packages.count == python.wanted.count)
        #expect(python.packages.count >= 30)
        for package in python.packages {
            let directory = package.location.split(separator: "/").first { $0.hasSuffix(".dist-info") || $0.hasSuffix(".egg-info") }
            let stem = try #require(directory).split(separator: ".").dropLast().joined(separator: ".")
            let parts = stem.split(separator: "-")
            #expect(parts.count >= 2 && Self.pep503(String(parts[0])) == Self.pep503(package.name) && parts[1] == package.version,
                    "\(package.location): \(package.name) \(package.version)")
        }

        // npm: every package.json with a string name and version, as JSONSerialization reads it.
        let node = try #require(byAnalyzer["node-package"])
        var expectedNode: [String] = []
        for path in node.wanted {
            let data = try Data(contentsOf: rootfs.appendingPathComponent(String(path.dropFirst())))
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let name = object["name"] as? String, !name.isEmpty,
                  let version = object["version"] as? String, !version.isEmpty else { continue }
            expectedNode.append("\(path) \(name) \(version)")
        }
        #expect(node.packages.map { "\($0.location) \($0.name) \($0.version)" }.sorted() == expectedNode.sorted())
        #expect(node.packages.count >= 100)

        // Gems: the gemspec file name is <name>-<version>[-<platform>].gemspec.
        let gems = try #require(byAnalyzer["gemspec"])
        #expect(gems.errors.isEmpty)
        #expect(gems.packages.count == gems.wanted.count)
        for package in gems.packages {
            let fileName = package.location.split(separator: "/").last.map(String.init) ?? ""
            #expect(fileName.hasPrefix("\(package.name)-\(package.version)"), "\(package.location)")
        }

        // What the image build promises to be present in this layer.
        let all = byAnalyzer.values.flatMap(\.packages)
        for (type, name, version) in [(PackageType.pypi, "flask", "1.0"), (.pypi, "pyyaml", "5.3"), (.pypi, "urllib3", "1.26.12"),
                                      (.pypi, "urllib3", "1.24.1"), (.npm, "oracle-test-app", "1.0.0"), (.gem, "puma", "5.6.4"),
                                      (.gem, "rack", "2.2.22"), (.gem, "loofah", "2.18.0"), (.gem, "rack", "2.2.3")] {
            #expect(all.contains { $0.type == type && Self.pep503($0.name) == Self.pep503(name) && $0.version == version },
                    "\(type) \(name) \(version)")
        }

        // Lockfiles shipped inside installed packages are deliberately not wanted in images
        // (LockfileScope): Debian's lodash-cli (npm-shrinkwrap.json), typeprof's VS Code extension
        // (package-lock.json v2) and two Gemfile.locks inside gems.
        #expect(byAnalyzer["npm-lock"]?.wanted.isEmpty ?? true)
        #expect(byAnalyzer["gemfile-lock"]?.wanted.isEmpty ?? true)
        // Read directly, they still parse to what their own tools count: lockfile v1 with 302
        // releases, 33 of them not dev (Python's json module); v2 with 168 releases, 11 not dev
        // (syft 1.18.1 with dev dependencies reports the same plus the root project).
        func direct(_ analyzer: any Analyzer, _ path: String) async throws -> [Package] {
            let data = try Data(contentsOf: rootfs.appendingPathComponent(String(path.dropFirst())))
            return try await analyzer.analyze(FileHeader(path: path, size: Int64(data.count)), .memory(data)).packages
        }
        let shrinkwrap = try await direct(NpmLockAnalyzer(), "/usr/share/nodejs/lodash-cli/npm-shrinkwrap.json")
        #expect(shrinkwrap.count == 302)
        #expect(shrinkwrap.filter { $0.properties["dev"] == nil }.count == 33)
        let vscode = try await direct(NpmLockAnalyzer(), "/usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/vscode/package-lock.json")
        #expect(vscode.count == 168)
        #expect(vscode.filter { $0.properties["dev"] == nil }.count == 11)
        let steep = try await direct(GemfileLockAnalyzer(), "/usr/lib/ruby/gems/3.1.0/gems/rbs-2.1.0/steep/Gemfile.lock")
        let typeprof = try await direct(GemfileLockAnalyzer(), "/usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/Gemfile.lock")
        #expect(steep.count + typeprof.count == 19 + 11)
    }

    static func pep503(_ name: String) -> String {
        name.lowercased().replacing(/[-_.]+/, with: "-")
    }
}
