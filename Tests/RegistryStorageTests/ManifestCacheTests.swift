import DrydockTestSupport
import Foundation
import OCI
import RegistryStorage
import Testing

/// The manifest cache never answers with what a write has since changed: writes through the
/// same store retire it at once, writes by another process within the watcher's interval.
@Suite struct ManifestCacheTests {
    typealias S = StoreMaintenanceTests

    @Test func writesThroughTheStoreAreSeenAtOnce() async throws {
        let dir = try TemporaryDirectory.make(prefix: "cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await S.open(dir)
        let v1 = ManifestReference.tag(try Tag("v1"))
        let (first, _) = try await S.pushImage(store, "app", tag: "v1", layer: "one")
        #expect(try await store.manifest(repository: S.repo("app"), reference: v1)?.digest == first)
        #expect(try await store.manifest(repository: S.repo("app"), reference: v1)?.digest == first)  // now cached

        let (second, _) = try await S.pushImage(store, "app", tag: "v1", layer: "two")
        #expect(second != first)
        #expect(try await store.manifest(repository: S.repo("app"), reference: v1)?.digest == second)
        let record = try #require(try await store.manifest(repository: S.repo("app"), reference: v1))
        #expect(Digest.compute(try store.manifestBytes(record)) == second)

        #expect(try await store.deleteManifest(repository: S.repo("app"), reference: v1))
        #expect(try await store.manifest(repository: S.repo("app"), reference: v1) == nil)
        // The untagged manifest is still there by digest, until it is deleted too.
        #expect(try await store.manifest(repository: S.repo("app"), reference: .digest(second))?.digest == second)
        #expect(try await store.deleteManifest(repository: S.repo("app"), reference: .digest(second)))
        #expect(try await store.manifest(repository: S.repo("app"), reference: .digest(second)) == nil)
        await store.close()
    }

    @Test func writesByAnotherProcessAreSeenWithinTheWatchInterval() async throws {
        let dir = try TemporaryDirectory.make(prefix: "cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await S.open(dir)
        let watch = Task { await server.metadata.watchExternalChanges(every: .milliseconds(20)) }
        let v1 = ManifestReference.tag(try Tag("v1"))
        let (digest, _) = try await S.pushImage(server, "app", tag: "v1", layer: "one")
        #expect(try await server.manifest(repository: S.repo("app"), reference: v1)?.digest == digest)

        // A second store on the same files stands in for `drydock gc` or another replica.
        let other = try await S.open(dir)
        #expect(try await other.deleteManifest(repository: S.repo("app"), reference: v1))
        await other.close()

        let deadline = ContinuousClock.now + .seconds(5)
        var seen: ManifestRecord? = try await server.manifest(repository: S.repo("app"), reference: v1)
        while seen != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            seen = try await server.manifest(repository: S.repo("app"), reference: v1)
        }
        #expect(seen == nil, "the deleted tag is still served from the cache")
        watch.cancel()
        await watch.value
        await server.close()
    }

    @Test func generationGrowsWithEveryWrite() async throws {
        let dir = try TemporaryDirectory.make(prefix: "cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await S.open(dir)
        let before = store.metadata.changeGeneration
        _ = try await S.pushImage(store, "app", tag: "v1", layer: "one")
        #expect(store.metadata.changeGeneration > before)
        await store.close()
    }
}
