import DrydockTestSupport
import Foundation
import OCI
import RegistryClient
import Testing

/// The oras Python client pushes an artifact and attaches a referrer; Drydock's referrers API
/// (read through RegistryClient) finds it.
@Suite struct OrasTests {
    @Test func pushesArtifactAndReferrerFoundThroughReferrersAPI() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let client = try RegistryClient(registry: registry.address, options: { var o = RegistryClient.Options(); o.plainHTTP = true; return o }())
        let repo = try RepositoryName("oras/demo")
        let layer = try await client.uploadBlob(repo, bytes: Array("layer".utf8))
        let config = try await client.uploadBlob(repo, bytes: Array("{}".utf8))
        let image = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: config, size: 2),
                                  layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: layer, size: 5)])
        let bytes = image.canonicalJSON()
        let subject = try await client.putManifest(repo, reference: .tag(try Tag("v1")), bytes: bytes, mediaType: MediaType.ociManifest)

        let work = try TemporaryDirectory.make(prefix: "oras")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try await Command.run(["python3", Fixtures.scripts + "/oras_referrer.py", registry.address, repo.value,
                                      subject.description, String(bytes.count), MediaType.ociManifest, work])
        #expect(result.succeeded, "oras-py failed (pip install oras): \(result.stderr.suffix(1000))")
        struct Output: Decodable { var artifact_status: Int; var referrer_status: Int; var referrer_digest: String }
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        #expect(output.artifact_status == 201)
        #expect(output.referrer_status == 201)

        let referrers = try await client.referrers(repo, digest: subject)
        #expect(referrers.map(\.digest.description) == [output.referrer_digest])
        #expect(referrers.first?.artifactType == "application/vnd.example.sbom.config")
        let filtered = try await client.referrers(repo, digest: subject, artifactType: "application/vnd.other")
        #expect(filtered.isEmpty)
        #expect(try await client.tags(repo) == ["notes", "sbom", "v1"])
        await client.shutdown()
    }
}
