import Foundation
import OCI
import Synchronization

/// Remembers manifest pulls and writes them in batches, so a busy pull path costs one small
/// in-memory insert per request instead of a write transaction. The defender's "pulled in the
/// last 30 days" window reads these times; a second of delay is irrelevant to it.
///
/// A lock rather than an actor: recording is a dictionary insert, which should not give the pull
/// path a suspension point (as an actor, a pull that found it busy was rescheduled).
public final class PullRecorder: Sendable {
    private let metadata: any MetadataStore
    private let events: RegistryEventHub?
    private let pending = Mutex<[PullKey: PullRecord]>([:])
    /// One flush at a time: a flush that finds the batch already taken by a flush in progress
    /// (the server's once-a-second one) waits for it, so that when `flush` returns every pull
    /// recorded before the call is written.
    private let flushing = AsyncMutex()

    private struct PullKey: Hashable {
        var repository: String
        var digest: Digest
        var tag: String?
    }

    public init(metadata: any MetadataStore, events: RegistryEventHub? = nil) {
        self.metadata = metadata
        self.events = events
    }

    public func record(repository: String, digest: Digest, tag: String?) {
        let key = PullKey(repository: repository, digest: digest, tag: tag)
        let record = PullRecord(repository: repository, digest: digest, tag: tag, time: Date().timeIntervalSince1970)
        pending.withLock { $0[key] = record }
    }

    /// Writes everything recorded so far.
    public func flush() async throws {
        try await flushing.withLock { try await self.flushPending() }
    }

    private func flushPending() async throws {
        let batch = pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await metadata.recordPulls(Array(batch.values))
            if let events, events.hasSubscribers {
                for pull in batch.values {
                    events.publish(RegistryEvent(action: .pull, repository: pull.repository, digest: pull.digest,
                                                 tag: pull.tag, time: pull.time))
                }
            }
        } catch {
            // Keep them for the next flush (a busy database, gc holding the lock); newer pulls
            // recorded meanwhile win.
            pending.withLock { $0.merge(batch) { newer, _ in newer } }
            throw error
        }
    }
}
