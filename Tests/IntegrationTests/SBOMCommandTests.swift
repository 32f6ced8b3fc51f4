import DrydockTestSupport
import Foundation
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
