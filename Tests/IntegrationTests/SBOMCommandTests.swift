import DrydockTestSupport
import Foundation
import OCI
import Testing

/// `drydock sbom` as users run it: formats, the layer cache, and one readable line with a
/// non-zero exit for every kind of bad input.
@Suite struct SBOMCommandTests {
    @Test func inventoryOfTheTestImage() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await Fixtures.debianLayout
        let dir = try TemporaryDirectory.make(prefix: "cli-sbom")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let environment = ["DRYDOCK_CACHE": dir + "/cache"]

        let json = try await Command.run([binary, "sbom", "oci:\(layout):latest", "--format", "json"], environment: environment)
        #expect(json.succeeded, "\(json.stderr)")
        struct Document: Decodable {
            struct Image: Decodable {
                var packages: [Package]
                var layers: [Layer]
            }
            struct Package: Decodable { var type: String; var name: String; var purl: String; var layerDigest: String }
            struct Layer: Decodable { var fromCache: Bool }
            var images: [Image]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(json.stdout.utf8))
        let image = try #require(document.images.first)
        // The test image is three layers of Debian packages unpacked by umoci, without a dpkg
        // database; what the inventory finds is their Python and node metadata.
        #expect(image.layers.allSatisfy { !$0.fromCache })
        #expect(image.packages.allSatisfy { $0.purl.hasPrefix("pkg:") && $0.layerDigest.hasPrefix("sha256:") })

        let again = try await Command.run([binary, "sbom", "oci:\(layout):latest", "--format", "json"], environment: environment)
        let cached = try JSONDecoder().decode(Document.self, from: Data(again.stdout.utf8))
        #expect(cached.images.first?.layers.allSatisfy(\.fromCache) == true)
        #expect(cached.images.first?.packages.map(\.purl) == image.packages.map(\.purl))

        let table = try await Command.run([binary, "sbom", "oci:\(layout):latest", "--no-cache", "-o", dir + "/table.txt"])
        #expect(table.succeeded, "\(table.stderr)")
        #expect(try String(contentsOfFile: dir + "/table.txt", encoding: .utf8).contains("TYPE  NAME"))
    }

    /// A composer.lock with `packages-dev` and no vendor directory: the dev entry is reported
    /// only with --include-dev-deps (Trivy's name for it).
    @Test func developmentLockEntriesOnlyWhenAskedFor() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "devdeps")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/tree/app", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.repositoryRoot + "/Tests/AnalysisTests/Fixtures/Language/composer/app/composer.lock",
                                         toPath: dir + "/tree/app/composer.lock")
        #expect(try await Command.run(["tar", "-C", dir + "/tree", "-cf", dir + "/layer.tar", "app"]).succeeded)
        let layout = dir + "/layout"
        try FileManager.default.createDirectory(atPath: layout + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion": "1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: layout + "/oci-layout"))
        let layer = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/layer.tar")))
        let layerDigest = try Fixtures.writeBlob(layout, layer)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layerDigest)"]}}"#.utf8)
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: try Fixtures.writeBlob(layout, config),
                                                        size: Int64(config.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerTar, digest: layerDigest, size: Int64(layer.count))])
        let manifestBytes = manifest.canonicalJSON()
        let index = ImageIndex(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: try Fixtures.writeBlob(layout, manifestBytes),
                                                      size: Int64(manifestBytes.count),
                                                      annotations: ["org.opencontainers.image.ref.name": "latest"])])
        try Data(index.canonicalJSON()).write(to: URL(fileURLWithPath: layout + "/index.json"))

        func names(_ extra: [String]) async throws -> [String] {
            let result = try await Command.run([binary, "sbom", "oci:\(layout):latest", "--format", "json", "--no-cache"] + extra)
            #expect(result.succeeded, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let images = (object?["images"] as? [[String: Any]]) ?? []
            let packages = images.flatMap { ($0["packages"] as? [[String: Any]]) ?? [] }
            return packages.compactMap { $0["name"] as? String }.sorted()
        }
        #expect(try await names([]) == ["acme/http", "acme/util"])
        #expect(try await names(["--include-dev-deps"]) == ["acme/http", "acme/testkit", "acme/util"])
    }

    @Test func badInputIsOneLineAndAFailure() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "cli-sbom-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: dir + "/garbage.tar"))
        let layout = try await Fixtures.debianLayout
        let cases: [([String], String)] = [
            (["sbom", "oci:\(dir)/missing"], "not an OCI image layout"),
            (["sbom", "docker-archive:\(dir)/garbage.tar"], "not a tar archive"),
            (["sbom", "docker-archive:\(dir)/none.tar"], "cannot open"),
            (["sbom", "oci:\(layout):no-such-tag"], "no image tagged"),
            (["sbom", "oci:\(layout)", "--format", "xml"], "unknown format"),
            (["sbom", "oci:\(layout)", "--platform", "linux"], "os/arch"),
            (["sbom", "UPPER/Case:tag"], "invalid"),
            (["sbom", "127.0.0.1:1/nothing/here:latest", "--insecure"], "127.0.0.1:1"),
        ]
        for (arguments, message) in cases {
            let result = try await Command.run([binary] + arguments, environment: ["DRYDOCK_CACHE": dir + "/cache"])
            #expect(!result.succeeded, "\(arguments)")
            let lines = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.localizedCaseInsensitiveContains(message), "\(arguments): \(result.stderr)")
        }
    }
}
