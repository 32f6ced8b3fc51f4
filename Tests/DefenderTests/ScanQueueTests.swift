import Defender
import DrydockTestSupport
import Foundation
import Logging
import Testing

/// The durable queue on its own: one job per image, exclusive claims, leases, retries.
@Suite struct ScanQueueTests {
    static func openStore() async throws -> (DefenderStore, String) {
        let dir = try TemporaryDirectory.make(prefix: "defender-queue")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let store = try await DefenderStore.open(path: dir + "/defender.sqlite", logger: logger)
        try await store.ensureDefaults(now: 0)
        return (store, dir)
    }

    static func push(_ store: DefenderStore, _ repository: String, digest: String, tag: String? = "1", now: Double) async throws -> Int? {
        let outcome = try await store.record(ImageEvent(kind: .push, repository: repository, digest: digest, tag: tag,
                                                        mediaType: "application/vnd.oci.image.manifest.v1+json", time: now), now: now)
        guard let scan = outcome.scan else { return nil }
        try await store.enqueue(imageID: scan.imageID, notBefore: scan.notBefore, trigger: "push", now: now)
        return scan.imageID
    }

    @Test func duplicatesMergeAndClaimsAreExclusive() async throws {
        let (store, dir) = try await Self.openStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let id = try #require(try await Self.push(store, "team/app", digest: digest, now: 10))
        // The same digest again (another tag, or the same push twice): still one job.
        #expect(try await Self.push(store, "team/app", digest: digest, tag: "2", now: 11) == id)
        #expect(try await store.jobs().count == 1)

        // Eight workers race for it: exactly one gets it.
        let claims = try await withThrowingTaskGroup(of: ScanJob?.self) { group in
            for _ in 0..<8 { group.addTask { try await store.claim(now: 20, lease: 60) } }
            var out: [ScanJob] = []
            for try await claim in group { if let claim { out.append(claim) } }
            return out
        }
        #expect(claims.count == 1 && claims.first?.imageID == id)
        // While its lease runs nobody else gets it; once it has run out (a dead worker), one does.
        #expect(try await store.claim(now: 50, lease: 60) == nil)
        let taken = try await store.claim(now: 81, lease: 60)
        #expect(taken?.imageID == id && taken?.attempts == 2)
        await store.close()
    }

    @Test func aRestartTakesBackRunningJobsAndRetriesWait() async throws {
        let (store, dir) = try await Self.openStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let id = try #require(try await Self.push(store, "team/app", digest: "sha256:" + String(repeating: "b", count: 64), now: 10))
        _ = try await store.claim(now: 10, lease: 3600)
        await store.close()

        // A new process on the same store: the previous one's running job is queued again.
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let reopened = try await DefenderStore.open(path: dir + "/defender.sqlite", logger: logger)
        #expect(try await reopened.releaseAllLeases() == 1)
        let job = try #require(try await reopened.claim(now: 11, lease: 60))
        #expect(job.imageID == id)

        // A transient failure waits for its backoff; a network-rule wait does not count as an attempt.
        // A worker whose lease was taken over can neither requeue nor finish the job.
        var stale = job
        stale.leaseToken = "someone else's"
        try await reopened.retryJob(stale, notBefore: 500, error: "late", countsAsAttempt: true)
        try await reopened.finishJob(stale)
        #expect(try await reopened.renewLease(stale, until: 999) == false)
        #expect(try await reopened.jobs().first?.state == "running")
        try await reopened.retryJob(job, notBefore: 100, error: "connection refused", countsAsAttempt: true)
        #expect(try await reopened.claim(now: 99, lease: 60) == nil)
        let retried = try #require(try await reopened.claim(now: 100, lease: 60))
        #expect(retried.attempts == 3)
        try await reopened.retryJob(retried, notBefore: 200, error: "blocked", countsAsAttempt: false)
        let again = try #require(try await reopened.claim(now: 200, lease: 60))
        #expect(again.attempts == 3)
        try await reopened.finishJob(again)
        #expect(try await reopened.jobs().isEmpty)
        await reopened.close()
    }

    @Test func disabledSubscriptionsWaitAndIndexesClaimTheirPlatforms() async throws {
        let (store, dir) = try await Self.openStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await store.setEnabled(subscription: "default", false, now: 1))
        #expect(try await store.setEnabled(subscription: "nope", false, now: 1) == false)
        let amd = "sha256:" + String(repeating: "1", count: 64), arm = "sha256:" + String(repeating: "2", count: 64)
        _ = try await Self.push(store, "multi/app", digest: amd, tag: nil, now: 1)
        _ = try await Self.push(store, "multi/app", digest: arm, tag: nil, now: 1)
        #expect(try await store.claim(now: 100, lease: 60) == nil, "the plan is off")
        #expect(try await store.setEnabled(subscription: "default", true, now: 2))

        // The index arrives: its platforms are scanned with it, not alone.
        let index = "sha256:" + String(repeating: "3", count: 64)
        let outcome = try await store.record(ImageEvent(kind: .push, repository: "multi/app", digest: index, tag: "1",
                                                        mediaType: "application/vnd.oci.image.index.v1+json", children: [amd, arm], time: 3), now: 3)
        #expect(outcome.cancelled.count == 2)
        try await store.enqueue(imageID: try #require(outcome.scan?.imageID), notBefore: 3, trigger: "push", now: 3)
        let jobs = try await store.jobs()
        #expect(jobs.count == 1 && jobs.first?.digest == index)
        let listed = try await store.listedImages()
        #expect(listed.map(\.digest) == [index])
        await store.close()
    }
}
