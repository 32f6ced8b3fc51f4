import DrydockTestSupport
import Foundation
import OCI
import Testing

/// `drydock scan` as CI pipelines run it: formats, the exit-code gate, suppressions, and one
/// readable line with a non-zero exit for bad input.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct ScanCommandTests {
    static let advisories = Fixtures.repositoryRoot + "/Tests/MatchingTests/Fixtures/advisories"

    @Test func gatesSuppressesAndExplains() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        let dir = try TemporaryDirectory.make(prefix: "cli-scan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["DRYDOCK_CACHE": dir + "/cache", "DRYDOCK_DB": dir + "/db.sqlite"]
        #expect(try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/db.sqlite"]).succeeded)

        let table = try await Command.run([binary, "scan", "oci:\(layout)"], environment: env)
        #expect(table.succeeded, "\(table.stderr)")
        #expect(table.stdout.contains("pip install 'Django>=2.2.28'"))
        #expect(table.stdout.contains("introduced by layer 1 of 5 (base image); rebuild on a newer base"))

        let gated = try await Command.run([binary, "scan", "oci:\(layout)", "--exit-code", "3", "--format", "json"], environment: env)
        #expect(gated.status == 3)
        #expect(gated.stdout.contains("\"vulnerabilityID\" : \"CVE-2018-18074\""))
        let none = try await Command.run([binary, "scan", "oci:\(layout)", "--exit-code", "3", "--severity", "CRITICAL"], environment: env)
        #expect(none.status == 0, "no CRITICAL findings in the fixture data: \(none.stdout)")

        try """
            ignore:
              - id: CVE-2018-18074
                justification: not reachable
            """.write(toFile: dir + "/ignore.yaml", atomically: true, encoding: .utf8)
        let ignored = try await Command.run([binary, "scan", "oci:\(layout)", "--ignore-file", dir + "/ignore.yaml", "--format", "json"], environment: env)
        #expect(ignored.succeeded)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(ignored.stdout.utf8)) as? [String: Any])
        let ids = (document["findings"] as? [[String: Any]] ?? []).compactMap { $0["vulnerabilityID"] as? String }
        #expect(!ids.isEmpty && !ids.contains("CVE-2018-18074"))
        #expect(ignored.stdout.contains("ignored: not reachable"))
    }

    /// The rpm test image (Rocky 8's rpm database) with Amazon Linux 2023's os-release in a layer
    /// on top, scanned against the Amazon Linux advisories of the VulnDB fixtures: the OS is
    /// recognised, the rpm packages are matched in `amazon:2023`, fixed versions keep their
    /// epoch, and Amazon's rating ("Important") is the severity.
    @Test func amazonLinuxAdvisories() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "cli-scan-amazon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = try await Self.withOSRelease(try await AnalysisImages.path("oci", "rpm-sqlite"), Self.amazonLinux2023, in: dir)
        let advisories = Fixtures.repositoryRoot + "/Tests/VulnDBTests/Fixtures/amazon"
        #expect(try await Command.run([binary, "db", "build", "--source", advisories, "--out", dir + "/db.sqlite"]).succeeded)
        let scan = try await Command.run([binary, "scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--format", "json"],
                                         environment: ["DRYDOCK_CACHE": dir + "/cache"])
        #expect(scan.succeeded, "\(scan.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let findings = document["findings"] as? [[String: Any]] ?? []
        func finding(_ id: String, _ package: String) -> [String: Any]? {
            findings.first { ($0["vulnerabilityID"] as? String) == id && (($0["package"] as? [String: Any])?["name"] as? String) == package }
        }
        let curl = try #require(finding("ALAS2023-2024-451", "libcurl"), "\(scan.stdout.prefix(2000))")
        #expect(curl["fixedVersion"] as? String == "8.5.0-1.amzn2023.0.2")
        #expect(curl["status"] as? String == "fixed")
        #expect(curl["severity"] as? String == "MEDIUM")
        #expect((curl["aliases"] as? [String])?.contains("CVE-2023-46218") == true)
        // An advisory about exactly one CVE is reported under the CVE, as Trivy does.
        let openssl = try #require(finding("CVE-2024-0727", "openssl-libs"))
        #expect((openssl["aliases"] as? [String])?.contains("ALAS2023-2024-520") == true)
        #expect(openssl["fixedVersion"] as? String == "1:3.0.8-1.amzn2023.0.12")
        #expect(openssl["severity"] as? String == "HIGH")
        // Amazon Linux 2's advisories are not Amazon Linux 2023's, and vim is not installed.
        #expect(finding("ALAS2-2024-2458", "glibc") == nil)
        #expect(!findings.contains { ($0["vulnerabilityID"] as? String) == "ALAS2023-2024-601" })
        #expect(!scan.stdout.contains("has no advisories for amazon:2023"))
    }

    static let amazonLinux2023 = """
        NAME="Amazon Linux"
        VERSION="2023"
        ID="amzn"
        ID_LIKE="fedora"
        VERSION_ID="2023"
        PLATFORM_ID="platform:al2023"
        PRETTY_NAME="Amazon Linux 2023.6.20241010"
        ANSI_COLOR="0;33"
        CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
        HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
        SUPPORT_END="2028-03-15"

        """

    /// A copy of `layout` with one more layer that writes `/etc/os-release`.
    static func withOSRelease(_ layout: String, _ osRelease: String, in dir: String) async throws -> String {
        let target = dir + "/layout"
        try FileManager.default.copyItem(atPath: layout, toPath: target)
        try FileManager.default.createDirectory(atPath: dir + "/tree/etc", withIntermediateDirectories: true)
        try osRelease.write(toFile: dir + "/tree/etc/os-release", atomically: true, encoding: .utf8)
        #expect(try await Command.run(["tar", "-C", dir + "/tree", "-cf", dir + "/layer.tar", "etc"]).succeeded)
        let layer = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/layer.tar")))
        let layerDigest = try Fixtures.writeBlob(target, layer)
        let top = try Fixtures.layoutManifest(target)
        var manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(try Fixtures.readBlob(target, top.digest)))
        var config = try JSONSerialization.jsonObject(with: Data(try Fixtures.readBlob(target, manifest.config.digest))) as? [String: Any] ?? [:]
        var rootfs = config["rootfs"] as? [String: Any] ?? [:]
        rootfs["diff_ids"] = ((rootfs["diff_ids"] as? [String]) ?? []) + [layerDigest.description]
        config["rootfs"] = rootfs
        config["history"] = nil
        let configBytes = Array(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
        manifest.config = Descriptor(mediaType: MediaType.ociConfig, digest: try Fixtures.writeBlob(target, configBytes),
                                     size: Int64(configBytes.count))
        manifest.layers.append(Descriptor(mediaType: MediaType.ociLayerTar, digest: layerDigest, size: Int64(layer.count)))
        let manifestBytes = manifest.canonicalJSON()
        let index = ImageIndex(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: try Fixtures.writeBlob(target, manifestBytes),
                                                      size: Int64(manifestBytes.count),
                                                      annotations: ["org.opencontainers.image.ref.name": "latest"])])
        try Data(index.canonicalJSON()).write(to: URL(fileURLWithPath: target + "/index.json"))
        return target
    }

    @Test func badInputIsOneLineAndAFailure() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "alpine-like")
        let dir = try TemporaryDirectory.make(prefix: "cli-scan-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/db.sqlite"]).succeeded)
        try "ignore:\n  - id: CVE-1\n".write(toFile: dir + "/bad-ignore.yaml", atomically: true, encoding: .utf8)
        try "{}".write(toFile: dir + "/bad-vex.json", atomically: true, encoding: .utf8)
        try "not sqlite".write(toFile: dir + "/bad.sqlite", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["scan", "oci:\(layout)", "--db", dir + "/missing.sqlite"], "no vulnerability database"),
            (["scan", "oci:\(layout)", "--db", dir + "/bad.sqlite"], "cannot open"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--ignore-file", dir + "/bad-ignore.yaml"], "no justification"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--vex", dir + "/bad-vex.json"], "not an OpenVEX document"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--severity", "SEVERE"], "unknown severity"),
            (["scan", "oci:\(layout)", "--db", dir + "/db.sqlite", "--format", "pdf"], "unknown format"),
        ]
        for (arguments, message) in cases {
            let result = try await Command.run([binary] + arguments, environment: ["DRYDOCK_CACHE": dir + "/cache"])
            #expect(!result.succeeded, "\(arguments)")
            let lines = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
