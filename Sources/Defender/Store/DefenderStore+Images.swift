import Foundation
import SQLiteNIO

/// Subscriptions, images, tags and their history (registries: DefenderStore+Registries).
extension DefenderStore {
    public struct Subscription: Sendable, Codable {
        public var name: String
        public var enabled: Bool
        public var changedAt: Double
    }

    /// A new data directory gets the default subscription, holding the local registry, with
    /// scanning on.
    public func ensureDefaults(now: Double) async throws {
        _ = try await write("INSERT OR IGNORE INTO defender_subscriptions (name, enabled, changed_at) VALUES (?, 1, ?)",
                                   [.text(DefenderConfiguration.defaultSubscription), .float(now)])
        _ = try await write("INSERT OR IGNORE INTO defender_registries (name, subscription, kind) VALUES (?, ?, 'drydock')",
                                   [.text(DefenderConfiguration.localRegistry), .text(DefenderConfiguration.defaultSubscription)])
    }

    public func subscriptions() async throws -> [Subscription] {
        try await reader.query("SELECT name, enabled, changed_at FROM defender_subscriptions ORDER BY name").map {
            Subscription(name: $0.string("name") ?? "", enabled: $0.int("enabled") == 1, changedAt: $0.double("changed_at") ?? 0)
        }
    }

    /// Switches a subscription's plan; returns false when there is no such subscription.
    public func setEnabled(subscription: String, _ enabled: Bool, now: Double) async throws -> Bool {
        let rows = try await write("UPDATE defender_subscriptions SET enabled = ?, changed_at = ? WHERE name = ? RETURNING name",
                                          [.integer(enabled ? 1 : 0), .float(now), .text(subscription)])
        return !rows.isEmpty
    }

    // MARK: Events

    /// What recording an event asks of the queue.
    public struct EventOutcome: Sendable {
        /// The image to scan, and when at the earliest.
        public var scan: (imageID: Int, notBefore: Double)?
        /// Jobs to drop (an index took its platforms over; an image was deleted).
        public var cancelled: [Int] = []
        /// Images to scan now as well (the platforms of a deleted index, listed on their own again).
        public var rescan: [Int] = []
        /// An image already scanned that a tag has just moved to.
        public var retagged: Int?
    }

    /// Records a push, import, reconcile, delete, untag or pull. Pushes of a digest already
    /// scanned only move tags; a digest seen for the first time (or again after a delete) is
    /// queued.
    public func record(_ event: ImageEvent, now: Double) async throws -> EventOutcome {
        try await transaction {
            var outcome = EventOutcome()
            switch event.kind {
            case .push, .import, .reconcile:
                let existing = try await writer.query("""
                    SELECT id, status, deleted_at, part_of FROM defender_images WHERE registry = ? AND repository = ? AND digest = ?
                    """, [.text(event.registry), .text(event.repository), .text(event.digest)]).first
                let id: Int
                var needsScan: Bool
                if let existing, let existingID = existing.column("id")?.integer {
                    id = existingID
                    var wasDeleted = existing.double("deleted_at") != nil
                    // Catching up on start: a manifest listed before a delete that came after
                    // stays deleted (only a push newer than the delete brings it back).
                    if event.kind == .reconcile, let deletedAt = existing.double("deleted_at"), event.time <= deletedAt {
                        return outcome
                    }
                    let status = ScanStatus(rawValue: existing.string("status") ?? "") ?? .queued
                    needsScan = wasDeleted || (status != .completed && status != .noDatabase && status != .running)
                    // A platform of an index pushed under a tag of its own is an image on its own.
                    let detach = existing.string("part_of") != nil && event.tag != nil
                    if existing.string("part_of") != nil && !wasDeleted && !detach { needsScan = false }
                    if detach { wasDeleted = true }
                    _ = try await writer.query("""
                        UPDATE defender_images SET deleted_at = NULL, media_type = coalesce(?, media_type),
                          children = CASE WHEN ? = '[]' THEN children ELSE ? END,
                          pushed_at = CASE WHEN deleted_at IS NOT NULL THEN ? ELSE pushed_at END,
                          part_of = CASE WHEN ? THEN NULL ELSE part_of END,
                          status = CASE WHEN deleted_at IS NOT NULL THEN 'queued' ELSE status END
                        WHERE id = ?
                        """, [.optional(event.mediaType), .text(Self.jsonText(event.children)), .text(Self.jsonText(event.children)),
                              .float(event.time), .integer(wasDeleted ? 1 : 0), .integer(id)])
                    if !needsScan && (status == .completed || status == .noDatabase), let tag = event.tag,
                       try await writer.query("SELECT 1 AS x FROM defender_tags WHERE registry = ? AND repository = ? AND tag = ? AND digest != ?",
                                              [.text(event.registry), .text(event.repository), .text(tag), .text(event.digest)]).first != nil {
                        outcome.retagged = id
                    }
                } else {
                    let rows = try await writer.query("""
                        INSERT INTO defender_images (registry, repository, digest, media_type, children, pushed_at, trigger, status)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'queued') RETURNING id
                        """, [.text(event.registry), .text(event.repository), .text(event.digest), .optional(event.mediaType),
                              .text(Self.jsonText(event.children)), .float(event.time), .text(event.kind.rawValue)])
                    guard let newID = rows.first?.column("id")?.integer else { throw DefenderError(.conflict, "could not record \(event.digest)") }
                    id = newID
                    needsScan = true
                }
                if event.isIndex && !event.children.isEmpty {
                    // The index is scanned with all its platforms: its manifests are not scanned
                    // (or listed) on their own.
                    for child in event.children {
                        let rows = try await writer.query("""
                            UPDATE defender_images SET part_of = ? WHERE registry = ? AND repository = ? AND digest = ? RETURNING id
                            """, [.text(event.digest), .text(event.registry), .text(event.repository), .text(child)])
                        for row in rows {
                            if let childID = row.column("id")?.integer {
                                outcome.cancelled.append(childID)
                                _ = try await writer.query("DELETE FROM defender_jobs WHERE image_id = ? AND state = 'queued'", [.integer(childID)])
                                // Its own findings (if it was scanned alone first) are the index's now.
                                _ = try await writer.query("DELETE FROM defender_finding_ids WHERE image_id = ?", [.integer(childID)])
                            }
                        }
                    }
                }
                if let tag = event.tag { try await moveTag(event, tag: tag) }
                if needsScan {
                    // An untagged image manifest is often a platform of an index that is about to
                    // be pushed: give the index two seconds to claim it.
                    let delay = (event.tag == nil && !event.isIndex && event.kind != .reconcile) ? 2.0 : 0
                    outcome.scan = (id, now + delay)
                }
            case .delete:
                let rows = try await writer.query("""
                    UPDATE defender_images SET deleted_at = ? WHERE registry = ? AND repository = ? AND digest = ? AND deleted_at IS NULL
                    RETURNING id
                    """, [.float(event.time), .text(event.registry), .text(event.repository), .text(event.digest)])
                for row in rows {
                    guard let id = row.column("id")?.integer else { continue }
                    outcome.cancelled.append(id)
                    _ = try await writer.query("DELETE FROM defender_jobs WHERE image_id = ?", [.integer(id)])
                    _ = try await writer.query("DELETE FROM defender_finding_ids WHERE image_id = ?", [.integer(id)])
                }
                // The platforms of a deleted index are still in the registry: images on their own again.
                let orphans = try await writer.query("""
                    UPDATE defender_images SET part_of = NULL, status = 'queued'
                    WHERE registry = ? AND repository = ? AND part_of = ? AND deleted_at IS NULL RETURNING id
                    """, [.text(event.registry), .text(event.repository), .text(event.digest)])
                outcome.rescan = orphans.compactMap { $0.column("id")?.integer }
                let tags = try await writer.query("""
                    DELETE FROM defender_tags WHERE registry = ? AND repository = ? AND digest = ? RETURNING tag
                    """, [.text(event.registry), .text(event.repository), .text(event.digest)])
                for row in tags { try await closeHistory(event, tag: row.string("tag") ?? "") }
            case .untag:
                guard let tag = event.tag else { break }
                let removed = try await writer.query("""
                    DELETE FROM defender_tags WHERE registry = ? AND repository = ? AND tag = ? RETURNING tag
                    """, [.text(event.registry), .text(event.repository), .text(tag)])
                if !removed.isEmpty { try await closeHistory(event, tag: tag) }
            case .pull:
                // An index's platforms are pulled by digest after the index: count those for it too.
                _ = try await writer.query("""
                    UPDATE defender_images SET last_pulled_at = max(coalesce(last_pulled_at, 0), ?)
                    WHERE registry = ? AND repository = ? AND (digest = ? OR digest = (
                      SELECT part_of FROM defender_images WHERE registry = ? AND repository = ? AND digest = ?))
                    """, [.float(event.time), .text(event.registry), .text(event.repository), .text(event.digest),
                          .text(event.registry), .text(event.repository), .text(event.digest)])
            }
            return outcome
        }
    }

    private func moveTag(_ event: ImageEvent, tag: String) async throws {
        let current = try await writer.query("SELECT digest FROM defender_tags WHERE registry = ? AND repository = ? AND tag = ?",
                                             [.text(event.registry), .text(event.repository), .text(tag)]).first?.string("digest")
        guard current != event.digest else { return }
        if current != nil { try await closeHistory(event, tag: tag) }
        _ = try await writer.query("""
            INSERT INTO defender_tags (registry, repository, tag, digest, since) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (registry, repository, tag) DO UPDATE SET digest = excluded.digest, since = excluded.since
            """, [.text(event.registry), .text(event.repository), .text(tag), .text(event.digest), .float(event.time)])
        _ = try await writer.query("""
            INSERT INTO defender_tag_history (registry, repository, tag, digest, since) VALUES (?, ?, ?, ?, ?)
            """, [.text(event.registry), .text(event.repository), .text(tag), .text(event.digest), .float(event.time)])
    }

    private func closeHistory(_ event: ImageEvent, tag: String) async throws {
        _ = try await writer.query("""
            UPDATE defender_tag_history SET until = ? WHERE registry = ? AND repository = ? AND tag = ? AND until IS NULL
            """, [.float(event.time), .text(event.registry), .text(event.repository), .text(tag)])
    }

    /// Marks every image of `registry` that is not in `present` (repository, digest) as deleted:
    /// what was removed while the server was down.
    public func markMissing(registry: String, present: Set<String>, before snapshot: Double, now: Double) async throws -> [Int] {
        let rows = try await reader.query("""
            SELECT id, repository, digest FROM defender_images WHERE registry = ? AND deleted_at IS NULL AND pushed_at < ?
            """, [.text(registry), .float(snapshot)])
        var gone: [Int] = []
        for row in rows where !present.contains("\(row.string("repository") ?? "")@\(row.string("digest") ?? "")") {
            if let id = row.column("id")?.integer { gone.append(id) }
        }
        guard !gone.isEmpty else { return [] }
        try await transaction {
            for id in gone {
                // Re-checked inside the transaction: a push after the listing keeps the image.
                let rows = try await writer.query("UPDATE defender_images SET deleted_at = ? WHERE id = ? AND pushed_at < ? RETURNING id",
                                                  [.float(now), .integer(id), .float(snapshot)])
                guard !rows.isEmpty else { continue }
                _ = try await writer.query("DELETE FROM defender_jobs WHERE image_id = ?", [.integer(id)])
                _ = try await writer.query("DELETE FROM defender_finding_ids WHERE image_id = ?", [.integer(id)])
            }
        }
        return gone
    }

    /// Removes tags of `registry` that the registry no longer has.
    public func syncTags(registry: String, present: [(repository: String, tag: String, digest: String)], before snapshot: Double,
                         now: Double) async throws {
        let wanted = Set(present.map { "\($0.repository):\($0.tag)@\($0.digest)" })
        let rows = try await reader.query("SELECT repository, tag, digest FROM defender_tags WHERE registry = ? AND since < ?",
                                          [.text(registry), .float(snapshot)])
        for row in rows {
            let repository = row.string("repository") ?? "", tag = row.string("tag") ?? "", digest = row.string("digest") ?? ""
            if !wanted.contains("\(repository):\(tag)@\(digest)") {
                _ = try await record(ImageEvent(kind: .untag, registry: registry, repository: repository, digest: digest, tag: tag,
                                                time: snapshot), now: now)
            }
        }
    }

    static func jsonText(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    // MARK: Reading images

    static func image(_ row: SQLiteRow) -> ImageRecord {
        ImageRecord(
            id: row.column("id")?.integer ?? 0, registry: row.string("registry") ?? "", repository: row.string("repository") ?? "",
            digest: row.string("digest") ?? "", mediaType: row.string("media_type"),
            children: row.stringArray("children"), partOf: row.string("part_of"),
            pushedAt: row.double("pushed_at") ?? 0, lastPulledAt: row.double("last_pulled_at"), trigger: row.string("trigger") ?? "",
            status: ScanStatus(rawValue: row.string("status") ?? "") ?? .queued, statusMessage: row.string("status_message"),
            scannedAt: row.double("scanned_at"), evaluatedAt: row.double("evaluated_at"),
            databaseBuiltAt: row.double("database_built_at"), inventories: row.stringArray("inventories"),
            analyzers: row.string("analyzers"), deletedAt: row.double("deleted_at"))
    }

    static let imageColumns = """
        id, registry, repository, digest, media_type, children, part_of, pushed_at, last_pulled_at, trigger, status,
        status_message, scanned_at, evaluated_at, database_built_at, inventories, analyzers, deleted_at
        """

    public func image(id: Int) async throws -> ImageRecord? {
        try await reader.query("SELECT \(Self.imageColumns) FROM defender_images WHERE id = ?", [.integer(id)]).first.map(Self.image)
    }

    public func image(registry: String, repository: String, digest: String) async throws -> ImageRecord? {
        try await reader.query("""
            SELECT \(Self.imageColumns) FROM defender_images WHERE registry = ? AND repository = ? AND digest = ?
            """, [.text(registry), .text(repository), .text(digest)]).first.map(Self.image)
    }

    /// Images that are listed on their own: not deleted, not a platform of an index.
    /// The images the views list (not deleted, not a platform of an index). Kept until the next
    /// write: the dashboard and `status` ask for all of them on every page.
    public func listedImages() async throws -> [ImageRecord] {
        if let cached = listedCache, cached.generation == generation { return cached.images }
        let images = try await reader.query("""
            SELECT \(Self.imageColumns) FROM defender_images WHERE deleted_at IS NULL AND part_of IS NULL
            ORDER BY registry, repository, pushed_at DESC
            """).map(Self.image)
        listedCache = (generation, images)
        return images
    }

    /// Listed images that have inventories (what a new database re-matches).
    public func imagesWithInventories() async throws -> [Int] {
        try await reader.query("""
            SELECT id FROM defender_images WHERE deleted_at IS NULL AND part_of IS NULL AND inventories IS NOT NULL ORDER BY id
            """).compactMap { $0.column("id")?.integer }
    }

    public func digest(registry: String, repository: String, tag: String) async throws -> String? {
        try await reader.query("SELECT digest FROM defender_tags WHERE registry = ? AND repository = ? AND tag = ?",
                               [.text(registry), .text(repository), .text(tag)]).first?.string("digest")
    }

    /// Tags per (registry, repository, digest) key `registry/repository@digest`.
    public func tagsByImage() async throws -> [String: [String]] {
        if let cached = tagsCache, cached.generation == generation { return cached.tags }
        var out: [String: [String]] = [:]
        for row in try await reader.query("SELECT registry, repository, tag, digest FROM defender_tags ORDER BY tag") {
            out["\(row.string("registry") ?? "")/\(row.string("repository") ?? "")@\(row.string("digest") ?? "")", default: []]
                .append(row.string("tag") ?? "")
        }
        tagsCache = (generation, out)
        return out
    }

    public func tags(of image: ImageRecord) async throws -> [String] {
        try await reader.query("SELECT tag FROM defender_tags WHERE registry = ? AND repository = ? AND digest = ? ORDER BY tag",
                               [.text(image.registry), .text(image.repository), .text(image.digest)]).compactMap { $0.string("tag") }
    }

    /// The digests a tag pointed at before its current one, newest first, with when each was replaced.
    public func earlierDigests(registry: String, repository: String, tag: String, current: String) async throws -> [(digest: String, until: Double)] {
        try await reader.query("""
            SELECT digest, max(until) AS until FROM defender_tag_history
            WHERE registry = ? AND repository = ? AND tag = ? AND until IS NOT NULL AND digest != ?
            GROUP BY digest ORDER BY until DESC
            """, [.text(registry), .text(repository), .text(tag), .text(current)]).compactMap { row in
            guard let digest = row.string("digest"), let until = row.double("until") else { return nil }
            return (digest, until)
        }
    }

    public func updateStatus(imageID: Int, _ status: ScanStatus, message: String?) async throws {
        _ = try await write("UPDATE defender_images SET status = ?, status_message = ? WHERE id = ?",
                                   [.text(status.rawValue), .optional(message), .integer(imageID)])
    }
}
