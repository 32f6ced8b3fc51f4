import DrydockTestSupport
import Foundation
import OCI
import Testing

/// skopeo (containers/image) against a real Drydock: the same code path podman and buildah use.
@Suite(.serialized) struct SkopeoTests {
    static func skopeo(_ args: [String]) async throws -> Command.Result {
        // A fresh blob-info cache per call: otherwise skopeo remembers blobs and mounts instead of uploading.
        let cache = try TemporaryDirectory.make(prefix: "skopeo-cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        return try await Command.run(["skopeo"] + args, environment: ["XDG_RUNTIME_DIR": cache, "HOME": cache])
    }

    @Test func copiesMultiLayerDebianImageInAndOutWithIdenticalDigests() async throws {
        let layout = try await Fixtures.debianLayout
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let source = try Fixtures.layoutManifest(layout, ref: "latest")

        let push = try await Self.skopeo(["copy", "--dest-tls-verify=false", "oci:\(layout):latest", "docker://\(registry.address)/debian/layers:v1"])
        #expect(push.succeeded, "\(push.stderr)")

        let inspect = try await Self.skopeo(["inspect", "--tls-verify=false", "--raw", "docker://\(registry.address)/debian/layers:v1"])
        #expect(Digest.compute(Array(inspect.stdout.utf8)) == source.digest)

        let back = try TemporaryDirectory.make(prefix: "pulled")
        defer { try? FileManager.default.removeItem(atPath: back) }
        let pull = try await Self.skopeo(["copy", "--src-tls-verify=false", "docker://\(registry.address)/debian/layers:v1", "oci:\(back):v1"])
        #expect(pull.succeeded, "\(pull.stderr)")
        let pulled = try Fixtures.layoutManifest(back, ref: "v1")
        #expect(pulled.digest == source.digest)
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(try Fixtures.readBlob(back, pulled.digest)))
        #expect(manifest.layers.count == 3)
        for layer in manifest.layers + [manifest.config] {
            #expect(try Fixtures.readBlob(back, layer.digest) == Fixtures.readBlob(layout, layer.digest))
        }
        await registry.stop()
    }

    @Test func copiesMultiArchIndexWithAllPlatforms() async throws {
        let layout = try await Fixtures.multiArchLayout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let index = try Fixtures.layoutManifest(layout, ref: "latest")

        let push = try await Self.skopeo(["copy", "--all", "--dest-tls-verify=false", "oci:\(layout):latest", "docker://\(registry.address)/multi:latest"])
        #expect(push.succeeded, "\(push.stderr)")
        let raw = try await Self.skopeo(["inspect", "--tls-verify=false", "--raw", "docker://\(registry.address)/multi:latest"])
        #expect(Digest.compute(Array(raw.stdout.utf8)) == index.digest)

        let back = try TemporaryDirectory.make(prefix: "pulled")
        defer { try? FileManager.default.removeItem(atPath: back) }
        let pull = try await Self.skopeo(["copy", "--all", "--src-tls-verify=false", "docker://\(registry.address)/multi:latest", "oci:\(back):latest"])
        #expect(pull.succeeded, "\(pull.stderr)")
        #expect(try Fixtures.layoutManifest(back, ref: "latest").digest == index.digest)

        // One platform only, as a client on arm64 would pull it.
        let arm = try await Self.skopeo(["inspect", "--tls-verify=false", "--override-arch", "arm64", "--override-variant", "v8",
                                   "docker://\(registry.address)/multi:latest"])
        #expect(arm.stdout.contains("\"Architecture\": \"arm64\""), "\(arm.stdout)")
    }

    @Test func listsTagsAndDeletes() async throws {
        let layout = try await Fixtures.debianLayout
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        for tag in ["a", "b", "c"] {
            let push = try await Self.skopeo(["copy", "--dest-tls-verify=false", "oci:\(layout):latest", "docker://\(registry.address)/app:\(tag)"])
            #expect(push.succeeded, "\(push.stderr)")
        }
        let list = try await Self.skopeo(["list-tags", "--tls-verify=false", "docker://\(registry.address)/app"])
        struct Tags: Decodable { var Tags: [String] }
        #expect(try JSONDecoder().decode(Tags.self, from: Data(list.stdout.utf8)).Tags == ["a", "b", "c"])

        let digest = try Fixtures.layoutManifest(layout, ref: "latest").digest
        let delete = try await Self.skopeo(["delete", "--tls-verify=false", "docker://\(registry.address)/app@\(digest)"])
        #expect(delete.succeeded, "\(delete.stderr)")
        let gone = try await Self.skopeo(["inspect", "--tls-verify=false", "docker://\(registry.address)/app:a"])
        #expect(!gone.succeeded)
        #expect(gone.stderr.contains("manifest unknown"), "\(gone.stderr)")
    }
}
