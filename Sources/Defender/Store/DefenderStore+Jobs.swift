import Foundation
import SQLiteNIO

/// The durable scan queue: one row per image (duplicates merge), claimed under a lease so that
/// no image is scanned twice at once, and retried with backoff.
extension DefenderStore {
    /// Queues an image (or brings a queued job forward); a running job is left alone, since the
    /// digest it is scanning cannot change.
    public func enqueue(imageID: Int, notBefore: Double, trigger: String, now: Double) async throws {
        try await transaction {
            _ = try await writer.query("""
                INSERT INTO defender_jobs (image_id, state, attempts, not_before, enqueued_at, trigger) VALUES (?, 'queued', 0, ?, ?, ?)
                ON CONFLICT (image_id) DO UPDATE SET not_before = min(not_before, excluded.not_before), trigger = excluded.trigger
                WHERE state = 'queued'
                """, [.integer(imageID), .float(notBefore), .float(now), .text(trigger)])
            _ = try await writer.query("UPDATE defender_images SET status = 'queued', status_message = NULL WHERE id = ? AND status != 'running'",
                                       [.integer(imageID)])
        }
    }

    /// Takes the next due job of an enabled subscription (or one whose worker's lease ran out).
    public func claim(now: Double, lease: Double) async throws -> ScanJob? {
        try await transaction { try await claimInTransaction(now: now, lease: lease) }
    }

    private func claimInTransaction(now: Double, lease: Double) async throws -> ScanJob? {
        let token = UUID().uuidString
        let rows = try await writer.query("""
            UPDATE defender_jobs SET state = 'running', lease_until = ?, lease_token = ?, attempts = attempts + 1
            WHERE image_id = (
              SELECT j.image_id FROM defender_jobs j
              JOIN defender_images i ON i.id = j.image_id
              JOIN defender_registries r ON r.name = i.registry
              JOIN defender_subscriptions s ON s.name = r.subscription
              WHERE s.enabled = 1 AND ((j.state = 'queued' AND j.not_before <= ?) OR (j.state = 'running' AND j.lease_until < ?))
              ORDER BY j.not_before LIMIT 1)
            RETURNING image_id, attempts, trigger
            """, [.float(now + lease), .text(token), .float(now), .float(now)])
        guard let row = rows.first, let id = row.column("image_id")?.integer else { return nil }
        _ = try await writer.query("UPDATE defender_images SET status = 'running', status_message = NULL WHERE id = ?", [.integer(id)])
        return ScanJob(imageID: id, attempts: row.int("attempts") ?? 1, trigger: row.string("trigger") ?? "", leaseToken: token)
    }

    /// Keeps a running job's lease alive; false when another worker has taken the job over (this
    /// worker's lease ran out).
    @discardableResult
    public func renewLease(_ job: ScanJob, until: Double) async throws -> Bool {
        !(try await write("UPDATE defender_jobs SET lease_until = ? WHERE image_id = ? AND lease_token = ? RETURNING image_id",
                          [.float(until), .integer(job.imageID), .text(job.leaseToken)])).isEmpty
    }

    /// Removes a job: the one `job` holds (not one another worker took over since), or with no
    /// lease given, whatever job the image has.
    public func finishJob(_ job: ScanJob) async throws {
        try await write("DELETE FROM defender_jobs WHERE image_id = ? AND lease_token = ?", [.integer(job.imageID), .text(job.leaseToken)])
    }

    public func finishJob(imageID: Int) async throws {
        try await write("DELETE FROM defender_jobs WHERE image_id = ?", [.integer(imageID)])
    }

    /// Puts a job back for later. `countsAsAttempt` false for waits that are not failures
    /// (network rules refusing the scanner: retried until the rules change).
    public func retryJob(_ job: ScanJob, notBefore: Double, error: String, countsAsAttempt: Bool) async throws {
        try await write("""
            UPDATE defender_jobs SET state = 'queued', lease_until = NULL, lease_token = NULL, not_before = ?, last_error = ?,
              attempts = attempts - ? WHERE image_id = ? AND lease_token = ?
            """, [.float(notBefore), .text(error), .integer(countsAsAttempt ? 0 : 1), .integer(job.imageID), .text(job.leaseToken)])
    }

    /// Jobs waiting on the network rules, brought forward (the rules just changed).
    public func wakeBlockedJobs(now: Double) async throws {
        _ = try await write("""
            UPDATE defender_jobs SET not_before = ? WHERE state = 'queued' AND image_id IN (
              SELECT id FROM defender_images WHERE status = 'blocked-by-network-rules')
            """, [.float(now)])
    }

    /// On start of the only server of an embedded store: every running job was this store's
    /// previous process's, which is gone.
    public func releaseAllLeases() async throws -> Int {
        let rows = try await write("""
            UPDATE defender_jobs SET state = 'queued', lease_until = NULL, lease_token = NULL WHERE state = 'running' RETURNING image_id
            """)
        return rows.count
    }

    public struct QueueCounts: Sendable, Codable {
        public var queued: Int
        public var running: Int
        public var waitingOnNetworkRules: Int
    }

    public func queueCounts() async throws -> QueueCounts {
        var counts = QueueCounts(queued: 0, running: 0, waitingOnNetworkRules: 0)
        for row in try await reader.query("""
            SELECT j.state AS state, i.status AS status, count(*) AS n FROM defender_jobs j JOIN defender_images i ON i.id = j.image_id
            GROUP BY j.state, i.status
            """) {
            let n = row.int("n") ?? 0
            if row.string("state") == "running" { counts.running += n } else { counts.queued += n }
            if row.string("status") == ScanStatus.blockedByNetworkRules.rawValue { counts.waitingOnNetworkRules += n }
        }
        return counts
    }

    public struct JobView: Sendable, Codable {
        public var repository: String
        public var digest: String
        public var state: String
        public var attempts: Int
        public var trigger: String
        public var notBefore: Double
        public var lastError: String?
    }

    public func jobs(limit: Int = 1000) async throws -> [JobView] {
        try await reader.query("""
            SELECT i.repository, i.digest, j.state, j.attempts, j.trigger, j.not_before, j.last_error
            FROM defender_jobs j JOIN defender_images i ON i.id = j.image_id ORDER BY j.not_before LIMIT ?
            """, [.integer(Int(limit))]).map {
            JobView(repository: $0.string("repository") ?? "", digest: $0.string("digest") ?? "", state: $0.string("state") ?? "",
                    attempts: $0.int("attempts") ?? 0, trigger: $0.string("trigger") ?? "", notBefore: $0.double("not_before") ?? 0,
                    lastError: $0.string("last_error"))
        }
    }
}
