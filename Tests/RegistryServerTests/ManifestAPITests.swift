import DrydockTestSupport
import Foundation
import OCI
import RegistryStorage
import Testing

@Suite struct ManifestAPITests {
    @Test func putGetHeadByTagAndDigest() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (bytes, digest) = try await http.pushImage("team/app", tag: "v1")

        for reference in ["v1", digest.description] {
            let get = try await http.send(.GET, "/v2/team/app/manifests/\(reference)", headers: [("Accept", MediaType.manifestAccept)])
            #expect(get.status == 200)
            #expect(get.body == bytes)
            #expect(get.header("Content-Type") == MediaType.ociManifest)
            #expect(get.header("Docker-Content-Digest") == digest.description)
            let head = try await http.send(.HEAD, "/v2/team/app/manifests/\(reference)")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == String(bytes.count))
        }
        let missing = try await http.send(.GET, "/v2/team/app/manifests/nope")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "MANIFEST_UNKNOWN")
    }

    /// Manifests too large for the in-memory cache (an index of many platforms, big annotations)
    /// stream from their file: the bytes must be the pushed ones, whole and in ranges of the
    /// download path on both sides of its sendfile threshold.
    @Test(arguments: [100 << 10, 2_500_000])
    func largeManifestsStreamFromTheirFile(size: Int) async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let note = String(repeating: "0123456789abcdef", count: size / 16)
        let (bytes, digest) = try await http.pushImage("big", tag: "v1") { $0.annotations = ["note": note] }
        #expect(bytes.count > size)
        for reference in ["v1", digest.description, "v1"] {
            let get = try await http.send(.GET, "/v2/big/manifests/\(reference)", headers: [("Accept", MediaType.manifestAccept)])
            #expect(get.status == 200)
            #expect(get.body == bytes)
            #expect(get.header("Content-Length") == String(bytes.count))
        }
        #expect(try await http.send(.HEAD, "/v2/big/manifests/v1").header("Content-Length") == String(bytes.count))
    }

    @Test func pushByDigestMustMatchContent() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (bytes, digest) = try await http.pushImage("app", tag: "v1")
        let ok = try await http.send(.PUT, "/v2/app/manifests/\(digest)?tag=also", headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
        #expect(ok.status == 201)
        #expect(ok.header("Docker-Content-Digest") == digest.description)
        #expect(try await http.send(.HEAD, "/v2/app/manifests/also").status == 200)

        let wrong = Digest.compute(Array("x".utf8))
        let bad = try await http.send(.PUT, "/v2/app/manifests/\(wrong)", headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
        #expect(bad.status == 400)
        #expect(bad.errorCode == "DIGEST_INVALID")
    }

    @Test func refusesManifestsWithMissingContent() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let absent = Descriptor(mediaType: MediaType.ociLayerGzip, digest: Digest.compute(Array("absent".utf8)), size: 6)
        let manifest = ImageManifest(config: absent, layers: [absent])
        let reply = try await http.send(.PUT, "/v2/app/manifests/v1", headers: [("Content-Type", MediaType.ociManifest)], body: manifest.canonicalJSON())
        #expect(reply.status == 400)
        #expect(reply.errorCode == "MANIFEST_BLOB_UNKNOWN")

        let index = ImageIndex(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: absent.digest, size: 10)])
        let indexReply = try await http.send(.PUT, "/v2/app/manifests/idx", headers: [("Content-Type", MediaType.ociIndex)], body: index.canonicalJSON())
        #expect(indexReply.status == 400)
        #expect(indexReply.errorCode == "MANIFEST_BLOB_UNKNOWN")
        #expect(try await http.send(.GET, "/v2/app/tags/list").status == 404)
    }

    @Test(arguments: ["{", "{\"schemaVersion\":2}", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\"}"])
    func refusesInvalidBodies(_ body: String) async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let reply = try await RawHTTP(registry).send(.PUT, "/v2/app/manifests/v1", headers: [("Content-Type", MediaType.ociManifest)], body: Array(body.utf8))
        #expect(reply.status == 400)
        #expect(reply.errorCode == "MANIFEST_INVALID")
    }

    @Test func refusesOversizedManifestsAndBadTags() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let big = [UInt8](repeating: 0x20, count: OCI.maxManifestSize + 10)
        let reply = try await http.send(.PUT, "/v2/app/manifests/v1", headers: [("Content-Type", MediaType.ociManifest)], body: big)
        #expect(reply.status == 413)
        let badTag = try await http.send(.PUT, "/v2/app/manifests/-bad", headers: [("Content-Type", MediaType.ociManifest)], body: Array("{}".utf8))
        #expect(badTag.errorCode == "TAG_INVALID")
    }

    @Test func indexOfPushedManifests() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (amd, amdDigest) = try await http.pushImage("multi", tag: "amd64", layer: Array("amd".utf8))
        let (arm, armDigest) = try await http.pushImage("multi", tag: "arm64", layer: Array("arm".utf8))
        var index = ImageIndex(mediaType: MediaType.dockerManifestList, manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: amdDigest, size: Int64(amd.count), platform: Platform(os: "linux", architecture: "amd64")),
            Descriptor(mediaType: MediaType.ociManifest, digest: armDigest, size: Int64(arm.count), platform: Platform(os: "linux", architecture: "arm64", variant: "v8")),
        ])
        index.mediaType = MediaType.dockerManifestList
        let reply = try await http.send(.PUT, "/v2/multi/manifests/latest", headers: [("Content-Type", MediaType.dockerManifestList)], body: index.canonicalJSON())
        #expect(reply.status == 201)
        let get = try await http.send(.GET, "/v2/multi/manifests/latest")
        #expect(get.header("Content-Type") == MediaType.dockerManifestList)
    }

    @Test func deleteByTagKeepsManifestDeleteByDigestRemovesTags() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (_, digest) = try await http.pushImage("app", tag: "v1")
        _ = try await http.pushImage("app", tag: "v2")
        #expect(try await http.send(.DELETE, "/v2/app/manifests/v1").status == 202)
        #expect(try await http.send(.GET, "/v2/app/manifests/v1").status == 404)
        #expect(try await http.send(.GET, "/v2/app/manifests/\(digest)").status == 200)
        #expect(try await http.send(.DELETE, "/v2/app/manifests/\(digest)").status == 202)
        #expect(try await http.send(.GET, "/v2/app/manifests/v2").status == 404)
        #expect(try await http.send(.DELETE, "/v2/app/manifests/\(digest)").errorCode == "MANIFEST_UNKNOWN")
    }

    @Test func pullsAreRecordedByTagAndDigest() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (_, digest) = try await http.pushImage("app", tag: "v1")
        #expect(try await registry.store.metadata.manifest(repository: "app", digest: digest)?.lastPulledAt == nil)
        let before = Date().timeIntervalSince1970
        _ = try await http.send(.HEAD, "/v2/app/manifests/v1")
        try await registry.store.pulls.flush()
        #expect(try await registry.store.metadata.manifest(repository: "app", digest: digest)?.lastPulledAt == nil, "HEAD is not a pull")
        _ = try await http.send(.GET, "/v2/app/manifests/v1")
        try await registry.store.pulls.flush()
        let pulled = try #require(try await registry.store.metadata.manifest(repository: "app", digest: digest)?.lastPulledAt)
        #expect(pulled >= before - 1)
        #expect(try await registry.store.metadata.tag(repository: "app", tag: "v1")?.lastPulledAt != nil)
    }
}
