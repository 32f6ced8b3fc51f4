import DrydockTestSupport
import Foundation
import NIOCore
import OCI
import RegistryClient
import Testing

/// RegistryClient against a real Drydock on an ephemeral port.
@Suite struct ClientAgainstDrydockTests {
    static func client(_ registry: TestRegistry) throws -> RegistryClient {
        var options = RegistryClient.Options()
        options.plainHTTP = true
        return try RegistryClient(registry: registry.address, options: options)
    }

    static func pushImage(_ client: RegistryClient, _ repo: RepositoryName, arch: String) async throws -> (Digest, Int64, [UInt8]) {
        let layer = try await client.uploadBlob(repo, bytes: Array("layer-\(arch)".utf8))
        let configBytes = ImageConfig(os: "linux", architecture: arch, diffIDs: [layer]).canonicalJSON()
        let config = try await client.uploadBlob(repo, bytes: configBytes)
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: config, size: Int64(configBytes.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerTar, digest: layer, size: Int64("layer-\(arch)".utf8.count))])
        let bytes = manifest.canonicalJSON()
        let digest = try await client.putManifest(repo, reference: .digest(Digest.compute(bytes)), bytes: bytes, mediaType: MediaType.ociManifest)
        return (digest, Int64(bytes.count), bytes)
    }

    @Test func resolvesIndexToPlatforms() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let client = try Self.client(registry)
        defer { Task { await client.shutdown() } }
        try await client.ping()
        let repo = try RepositoryName("multi")
        let (amd, amdSize, _) = try await Self.pushImage(client, repo, arch: "amd64")
        let (arm, armSize, armBytes) = try await Self.pushImage(client, repo, arch: "arm64")
        let index = ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: amd, size: amdSize, platform: Platform(os: "linux", architecture: "amd64")),
            Descriptor(mediaType: MediaType.ociManifest, digest: arm, size: armSize, platform: Platform(os: "linux", architecture: "arm64", variant: "v8")),
        ])
        try await client.putManifest(repo, reference: .tag(try Tag("latest")), bytes: index.canonicalJSON(), mediaType: MediaType.ociIndex)

        let all = try await client.resolveImages(repo, reference: .tag(try Tag("latest")))
        #expect(all.map(\.manifest.digest) == [amd, arm])
        let one = try await client.resolveImages(repo, reference: .tag(try Tag("latest")), platform: try Platform("linux/arm64"))
        #expect(one.count == 1)
        #expect(one.first?.manifest.bytes == armBytes)
        await #expect(throws: RegistryClientError.self) {
            try await client.resolveImages(repo, reference: .tag(try Tag("latest")), platform: try Platform("linux/s390x"))
        }
        let head = try await client.manifestDescriptor(repo, reference: .tag(try Tag("latest")))
        #expect(head?.mediaType == MediaType.ociIndex)
        #expect(try await client.manifestDescriptor(repo, reference: .tag(try Tag("nope"))) == nil)
    }

    @Test func streamsBlobsAndVerifiesDigests() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let client = try Self.client(registry)
        defer { Task { await client.shutdown() } }
        let repo = try RepositoryName("blobs")
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let digest = try await client.uploadBlobChunked(repo, bytes: bytes, chunkSize: 1 << 20)
        #expect(try await client.blobSize(repo, digest: digest) == Int64(bytes.count))

        let dir = try TemporaryDirectory.make(prefix: "download")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let size = try await client.downloadBlob(repo, digest: digest, to: dir + "/blob")
        #expect(size == Int64(bytes.count))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/blob"))) == bytes)

        // Upload from a file, then mount into another repository.
        let fileBytes = Array("from a file".utf8)
        try Data(fileBytes).write(to: URL(fileURLWithPath: dir + "/src"))
        let fileDigest = Digest.compute(fileBytes)
        try await client.uploadBlob(repo, file: dir + "/src", digest: fileDigest, size: Int64(fileBytes.count))
        #expect(try await client.blob(repo, digest: fileDigest) == fileBytes)
        #expect(try await client.mountBlob(try RepositoryName("other"), digest: fileDigest, from: repo))
        #expect(!(try await client.mountBlob(try RepositoryName("other"), digest: Digest.compute(Array("none".utf8)), from: repo)))

        let missing = Digest.compute(Array("missing".utf8))
        await #expect(throws: RegistryClientError.self) { try await client.blob(repo, digest: missing) }
    }

    @Test func tagsArePagedThroughLinks() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let client = try Self.client(registry)
        defer { Task { await client.shutdown() } }
        let repo = try RepositoryName("paged")
        let (_, _, bytes) = try await Self.pushImage(client, repo, arch: "amd64")
        for i in 0..<25 {
            try await client.putManifest(repo, reference: .tag(try Tag(String(format: "t%02d", i))), bytes: bytes, mediaType: MediaType.ociManifest)
        }
        #expect(try await client.tags(repo, pageSize: 10) == (0..<25).map { String(format: "t%02d", $0) })
        try await client.deleteManifest(repo, reference: .tag(try Tag("t00")))
        #expect(try await client.tags(repo, pageSize: nil).count == 24)
    }
}
