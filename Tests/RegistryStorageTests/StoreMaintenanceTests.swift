import DrydockTestSupport
import Foundation
import Logging
import NIOCore
import OCI
import RegistryStorage
import Testing

/// Store-level behaviour that no single request shows: resuming after a restart, expiry, gc, fsck.
@Suite struct StoreMaintenanceTests {
    static let logger = Logger(label: "test")

    static func open(_ dir: String) async throws -> RegistryStore {
        try await RegistryStore.openEmbedded(directory: dir, logger: logger)
    }

    static func body(_ s: String) -> [ByteBuffer] { [ByteBuffer(string: s)] }

    static func repo(_ s: String) -> RepositoryName { try! RepositoryName(s) }

    /// Pushes config + layer + manifest straight into the store.
    static func pushImage(_ store: RegistryStore, _ name: String, tag: String?, layer: String) async throws -> (Digest, [Digest]) {
        let config = "{\"layer\":\"\(layer)\"}"
        let c = Digest.compute(Array(config.utf8)), l = Digest.compute(Array(layer.utf8))
        _ = try await store.putBlob(repository: repo(name), digest: c, body: body(config).async)
        _ = try await store.putBlob(repository: repo(name), digest: l, body: body(layer).async)
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: c, size: Int64(config.utf8.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: l, size: Int64(layer.utf8.count))])
        let bytes = manifest.canonicalJSON()
        let reference: ManifestReference = tag.map { .tag(try! Tag($0)) } ?? .digest(Digest.compute(bytes))
        let result = try await store.putManifest(repository: repo(name), reference: reference, bytes: bytes, contentType: MediaType.ociManifest)
        return (result.digest, [c, l])
    }

    @Test func chunkedUploadResumesAfterRestart() async throws {
        let dir = try TemporaryDirectory.make(prefix: "store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var store = try await Self.open(dir)
        let id = try await store.startUpload(repository: Self.repo("app"))
        try await store.append(id: id, repository: Self.repo("app"), expectedOffset: 0, body: Self.body("first ").async)
        await store.close()

        store = try await Self.open(dir)
        // The running hash is gone with the process; it is rebuilt from the bytes on disk.
        try await store.append(id: id, repository: Self.repo("app"), expectedOffset: 6, body: Self.body("second").async)
        let digest = Digest.compute(Array("first second".utf8))
        let size = try await store.complete(id: id, repository: Self.repo("app"), digest: digest, finalChunk: nil as AsyncStream<ByteBuffer>?)
        #expect(size == 12)
        #expect(try await store.blob(repository: Self.repo("app"), digest: digest)?.size == 12)
        await store.close()
    }

    @Test func abandonedUploadsExpire() async throws {
        let dir = try TemporaryDirectory.make(prefix: "store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await Self.open(dir)
        let id = try await store.startUpload(repository: Self.repo("app"))
        try await store.append(id: id, repository: Self.repo("app"), expectedOffset: nil, body: Self.body("partial").async)
        #expect(try await store.expireUploads(maxIdle: 3600) == 0)
        #expect(try await store.expireUploads(maxIdle: -1) == 1)
        #expect(try store.blobs.uploadIDs().isEmpty)
        await #expect(throws: StorageError.self) { try await store.upload(id: id, repository: Self.repo("app")) }
        await store.close()
    }

    @Test func gcRemovesOnlyWhatNothingReferences() async throws {
        let dir = try TemporaryDirectory.make(prefix: "store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await Self.open(dir)
        let (kept, keptBlobs) = try await Self.pushImage(store, "app", tag: "v1", layer: "kept layer")
        let (untagged, untaggedBlobs) = try await Self.pushImage(store, "app", tag: nil, layer: "untagged layer")
        let stray = Digest.compute(Array("stray".utf8))
        _ = try await store.putBlob(repository: Self.repo("app"), digest: stray, body: Self.body("stray").async)

        var options = GarbageCollector.Options()
        options.grace = 3600
        options.apply = true
        let young = try await GarbageCollector(store: store).run(options)
        #expect(young.deletedBlobs.isEmpty, "nothing younger than the grace period is collected")

        options.grace = -1
        options.apply = false
        let dry = try await GarbageCollector(store: store).run(options)
        #expect(dry.deletedBlobs == [stray])
        #expect(try store.blobs.size(of: stray) != nil, "a dry run deletes nothing")

        options.apply = true
        options.deleteUntagged = true
        let report = try await GarbageCollector(store: store).run(options)
        #expect(report.untaggedManifests.map(\.digest) == [untagged])
        #expect(Set(report.deletedBlobs) == Set([stray, untagged] + untaggedBlobs))
        for digest in keptBlobs + [kept] { #expect(try store.blobs.size(of: digest) != nil) }
        #expect(try await store.manifest(repository: Self.repo("app"), reference: .tag(try Tag("v1"))) != nil)
        #expect(try await StoreChecker(store: store).run().isClean)
        await store.close()
    }

    @Test func fsckFindsCorruptionAndMissingFiles() async throws {
        let dir = try TemporaryDirectory.make(prefix: "store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await Self.open(dir)
        let (_, blobs) = try await Self.pushImage(store, "app", tag: "v1", layer: "layer bytes")
        #expect(try await StoreChecker(store: store).run().isClean)

        let layerPath = try #require(store.blobs.localPath(of: blobs[1]))
        try Data("LAYER BYTES".utf8).write(to: URL(fileURLWithPath: layerPath))
        let configPath = try #require(store.blobs.localPath(of: blobs[0]))
        try FileManager.default.removeItem(atPath: configPath)
        let report = try await StoreChecker(store: store).run()
        #expect(report.problems.count == 2)
        #expect(report.problems.contains { $0.message.contains("hashes to") })
        #expect(report.problems.contains { $0.message.contains("file is missing") })
        await store.close()
    }

    @Test func concurrentChunksOnOneSessionAreRefused() async throws {
        let dir = try TemporaryDirectory.make(prefix: "store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await Self.open(dir)
        let id = try await store.startUpload(repository: Self.repo("app"))
        let (slow, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let first = Task { try await store.append(id: id, repository: Self.repo("app"), expectedOffset: nil, body: slow) }
        // Time for the first append to take the session (100 ms was once not enough on a loaded machine).
        try await Task.sleep(for: .seconds(1))
        await #expect(throws: StorageError.self) {
            try await store.append(id: id, repository: Self.repo("app"), expectedOffset: nil, body: Self.body("x").async)
        }
        continuation.yield(ByteBuffer(string: "abc"))
        continuation.finish()
        #expect(try await first.value == 3)
        await store.close()
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (an upload body in tests).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
