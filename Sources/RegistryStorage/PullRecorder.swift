import Foundation
import OCI

/// Remembers manifest pulls and writes them in batches, so a busy pull path costs one small
/// in-memory insert per request instead of a write transaction. The defender's "pulled in the
/// last 30 days" window reads these times; a second of delay is irrelevant to it.
public actor PullRecorder {
    private let metadata: any MetadataStore
    private var pending: [PullKey: PullRecord] = [:]

    private struct PullKey: Hashable {
        var repository: String
        var digest: Digest
        var tag: String?
    }

    public init(metadata: any MetadataStore) {
        self.metadata = metadata
    }

    public func record(repository: String, digest: Digest, tag: String?) {
        let key = PullKey(repository: repository, digest: digest, tag: tag)
        pending[key] = PullRecord(repository: repository, digest: digest, tag: tag, time: Date().timeIntervalSince1970)
    }

    /// Writes everything recorded so far.
    public func flush() async throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        do {
            try await metadata.recordPulls(Array(batch.values))
        } catch {
            // Keep them for the next flush (a busy database, gc holding the lock); newer pulls
            // recorded meanwhile win.
            pending.merge(batch) { newer, _ in newer }
            throw error
        }
    }
}
