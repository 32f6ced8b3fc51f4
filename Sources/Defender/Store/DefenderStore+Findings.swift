import Crypto
import Foundation
import Matching
import NIOCore
import SQLiteNIO

/// Inventories per manifest digest, and findings per image with their history.
extension DefenderStore {
    // MARK: Inventories

    public func saveInventory(digest: String, json: Data, now: Double) async throws {
        _ = try await write("""
            INSERT INTO defender_inventories (digest, body, created_at) VALUES (?, ?, ?)
            ON CONFLICT (digest) DO UPDATE SET body = excluded.body, created_at = excluded.created_at
            """, [.text(digest), .blob(ByteBuffer(bytes: json)), .float(now)])
    }

    public func inventory(digest: String) async throws -> Data? {
        try await reader.query("SELECT body FROM defender_inventories WHERE digest = ?", [.text(digest)]).first?.data("body")
    }

    /// Records that an image's inventories were made (by `analyzers`), before matching, with the
    /// advisory keys of their packages.
    public func setInventories(imageID: Int, digests: [String], analyzers: String, keys: Set<String>, now: Double) async throws {
        try await transaction {
            _ = try await writer.query("UPDATE defender_images SET inventories = ?, analyzers = ?, scanned_at = ?, keys_indexed = 1 WHERE id = ?",
                                       [.text(Self.jsonText(digests)), .text(analyzers), .float(now), .integer(imageID)])
            _ = try await writer.query("DELETE FROM defender_image_keys WHERE image_id = ?", [.integer(imageID)])
            _ = try await writer.query("INSERT OR IGNORE INTO defender_image_keys (key, image_id) SELECT value, ? FROM json_each(?)",
                                       [.integer(imageID), .text(Self.jsonText(keys.sorted()))])
        }
    }

    /// After a database update that changed only `keys`: the images to match again (a package
    /// under a changed key, no key index, or not matched against a database before).
    public func imagesToRematch(changedKeys keys: Set<String>) async throws -> [Int] {
        try await reader.query("""
            SELECT id FROM defender_images WHERE deleted_at IS NULL AND part_of IS NULL AND inventories IS NOT NULL
              AND (keys_indexed = 0 OR status != 'completed'
                   OR id IN (SELECT image_id FROM defender_image_keys WHERE key IN (SELECT value FROM json_each(?))))
            ORDER BY id
            """, [.text(Self.jsonText(keys.sorted()))]).compactMap { $0.column("id")?.integer }
    }

    /// The images a database update left unchanged: matched against it as of now.
    public func markEvaluated(except rematched: [Int], databaseBuiltAt: Double, now: Double) async throws {
        try await write("""
            UPDATE defender_images SET evaluated_at = ?, database_built_at = ?
            WHERE deleted_at IS NULL AND part_of IS NULL AND status = 'completed' AND id NOT IN (SELECT value FROM json_each(?))
            """, [.float(now), .float(databaseBuiltAt), .text(String(decoding: (try? JSONEncoder().encode(rematched)) ?? Data("[]".utf8), as: UTF8.self))])
    }

    // MARK: Evaluations

    /// The outcome of matching an image's inventories against a database (or against none).
    public struct Evaluation: Sendable {
        public var findings: [Finding]
        public var remediations: [Remediation]
        public var warnings: [String]
        public var status: ScanStatus
        public var message: String?
        public var databaseBuiltAt: Double?
        /// Each finding's stored JSON and its hash, in `findings` order (made by the caller, off
        /// the store's actor).
        public var bodies: [FindingBody]

        public init(findings: [Finding], remediations: [Remediation], warnings: [String], status: ScanStatus,
                    message: String?, databaseBuiltAt: Double?, bodies: [FindingBody] = []) {
            self.bodies = bodies.count == findings.count ? bodies : findings.map(FindingBody.init)
            self.findings = findings
            self.remediations = remediations
            self.warnings = warnings
            self.status = status
            self.message = message
            self.databaseBuiltAt = databaseBuiltAt
        }
    }

    /// Stores an evaluation and moves findings between states: new ones open (first seen now,
    /// or when an earlier digest of one of the image's tags first had them), gone ones resolved
    /// by this digest, and — for each tag now pointing here — what the digests it replaced had
    /// and this one no longer has, resolved by this digest. Without a database the findings are
    /// left as they were: "no database" never turns into "nothing found".
    ///
    /// - Parameter scope: when only some of the image's packages were matched again (a database
    ///   update that changed only their advisory keys), their identities as
    ///   `TYPE|NAME|LOCATION` (a finding key without its vulnerability): findings and
    ///   remediations of other packages are left as they are, and the evaluation's remediations
    ///   and warnings are merged into the stored ones.
    /// - Returns: the findings this evaluation opened and those it resolved (here, and in the
    ///   digests this one replaced under its tags), for the webhooks.
    @discardableResult
    /// - Parameter known: the image's record as the caller just read it (saves reading it again
    ///   for each of the thousands of images a database update re-matches).
    public func store(_ evaluation: Evaluation, imageID: Int, now: Double, scope: Set<String>? = nil,
                      known: ImageRecord? = nil) async throws -> FindingChanges {
        guard let image = known?.id == imageID ? known : try await image(id: imageID) else { return FindingChanges() }
        let remediations = (try? JSONEncoder().encode(evaluation.remediations)) ?? Data("[]".utf8)
        let warnings = (try? JSONEncoder().encode(evaluation.warnings)) ?? Data("[]".utf8)
        let scopeJSON = scope.map { Self.jsonText($0.sorted()) }
        return try await transaction {
            if let scopeJSON {
                // Merged by SQLite: the stored lists are not decoded (read back in report order).
                _ = try await writer.query("""
                    UPDATE defender_images SET status = ?5, status_message = ?6, evaluated_at = ?7, database_built_at = ?8,
                      remediations = CAST((SELECT coalesce(json_group_array(json(value)), '[]') FROM (
                          SELECT value FROM json_each(CAST(coalesce(remediations, '[]') AS TEXT))
                          WHERE (value->>'$.package.ecosystem') || '|' || (value->>'$.package.name') || '|'
                                || (value->>'$.package.location') NOT IN (SELECT value FROM json_each(?1))
                          UNION ALL SELECT value FROM json_each(?2))) AS BLOB),
                      warnings = CASE WHEN json_array_length(?4) = 0 THEN warnings ELSE CAST((
                          SELECT coalesce(json_group_array(value), '[]') FROM (
                              SELECT value FROM json_each(CAST(coalesce(warnings, '[]') AS TEXT))
                              UNION SELECT value FROM json_each(?4))) AS BLOB) END
                    WHERE id = ?3
                    """, [.text(scopeJSON), .text(String(decoding: remediations, as: UTF8.self)), .integer(imageID),
                          .text(String(decoding: warnings, as: UTF8.self)), .text(evaluation.status.rawValue),
                          .optional(evaluation.message), .float(now), .optional(evaluation.databaseBuiltAt)])
            } else {
                _ = try await writer.query("""
                    UPDATE defender_images SET status = ?, status_message = ?, evaluated_at = ?, database_built_at = ?,
                      remediations = ?, warnings = ? WHERE id = ?
                    """, [.text(evaluation.status.rawValue), .optional(evaluation.message), .float(now),
                          .optional(evaluation.databaseBuiltAt), .blob(ByteBuffer(bytes: remediations)),
                          .blob(ByteBuffer(bytes: warnings)), .integer(imageID)])
            }
            guard evaluation.status == .completed else { return FindingChanges() }
            try await recordUsage(imageID: imageID, now: now)

            // What is stored now (of the packages in scope): key → (state, body).
            var stored: [String: (state: String, hash: String, resolvedElsewhere: Bool)] = [:]
            let storedRows: [SQLiteRow]
            if let scopeJSON {
                storedRows = try await writer.query("""
                    SELECT key, state, body_hash, resolved_by FROM defender_findings
                    WHERE image_id = ? AND substr(key, instr(key, '|') + 1) IN (SELECT value FROM json_each(?))
                    """, [.integer(imageID), .text(scopeJSON)])
            } else {
                storedRows = try await writer.query("SELECT key, state, body_hash, resolved_by FROM defender_findings WHERE image_id = ?",
                                                    [.integer(imageID)])
            }
            for row in storedRows {
                let resolvedBy = row.string("resolved_by")
                stored[row.string("key") ?? ""] = (row.string("state") ?? "", row.string("body_hash") ?? "",
                                                   resolvedBy != nil && resolvedBy != image.digest)
            }
            let previous = Set(stored.keys)
            let tags = try await writer.query("""
                SELECT tag FROM defender_tags WHERE registry = ? AND repository = ? AND digest = ?
                """, [.text(image.registry), .text(image.repository), .text(image.digest)]).compactMap { $0.string("tag") }
            struct Row: Encodable {
                var key: String
                var id: String
                var severity: String
                var firstSeen: Double
                var hash: String
            }
            // Only what changed is written: a finding new to this image (or back), or one whose
            // record changed. One still there as it was needs nothing: an open finding's
            // `lastSeen` is the image's last evaluation (`findings(imageID:)`).
            var current = Set<String>()
            var rows: [Row] = []
            var bodies: [String: String] = [:]
            var rewritten = false
            for (finding, body) in zip(evaluation.findings, evaluation.bodies) {
                let key = StoredFinding.key(finding)
                guard current.insert(key).inserted else { continue }
                if let known = stored[key], known.state != "resolved" || known.resolvedElsewhere, known.hash == body.hash { continue }
                if let known = stored[key], known.state != "resolved" { rewritten = true }
                rows.append(Row(key: key, id: finding.vulnerabilityID, severity: finding.severity, firstSeen: now, hash: body.hash))
                bodies[body.hash] = body.json
            }
            let gone = stored.filter { $0.value.state != "resolved" && !current.contains($0.key) }.map(\.key)
            if !rows.isEmpty {
                _ = try await writer.query("INSERT OR IGNORE INTO defender_finding_bodies (hash, body) SELECT key, value FROM json_each(?)",
                                           [.text(String(decoding: try JSONEncoder().encode(bodies), as: UTF8.self))])
            }
            // A finding new to this digest but seen under one of its tags before (in a digest the
            // tag pointed at) keeps the time it was first seen there.
            if !tags.isEmpty && rows.contains(where: { !previous.contains($0.key) }) {
                var inherited: [String: Double] = [:]
                for tag in tags {
                    for row in try await writer.query("""
                        SELECT f.key AS key, min(f.first_seen) AS first FROM defender_tag_history h
                        JOIN defender_images i ON i.registry = h.registry AND i.repository = h.repository AND i.digest = h.digest
                        JOIN defender_findings f ON f.image_id = i.id
                        WHERE h.registry = ? AND h.repository = ? AND h.tag = ? AND h.digest != ? GROUP BY f.key
                        """, [.text(image.registry), .text(image.repository), .text(tag), .text(image.digest)]) {
                        guard let key = row.string("key"), let first = row.double("first") else { continue }
                        inherited[key] = min(first, inherited[key] ?? first)
                    }
                }
                for index in rows.indices where !previous.contains(rows[index].key) {
                    if let first = inherited[rows[index].key] { rows[index].firstSeen = min(first, now) }
                }
            }
            // The changed findings in one statement. A finding resolved by this digest (an older
            // database reported it) and back opens again; one resolved by the digest that
            // replaced this one under a tag stays resolved.
            if !rows.isEmpty {
                let own = SQLiteData.text(image.digest)
                _ = try await writer.query("""
                    INSERT INTO defender_findings (image_id, key, vulnerability_id, severity, state, first_seen, last_seen, body_hash)
                    SELECT ?, value->>'key', value->>'id', value->>'severity', 'open', value->>'firstSeen', ?, value->>'hash'
                    FROM json_each(?) WHERE true
                    ON CONFLICT (image_id, key) DO UPDATE SET last_seen = excluded.last_seen, body_hash = excluded.body_hash,
                      severity = excluded.severity,
                      state = CASE WHEN state = 'resolved' AND coalesce(resolved_by, ?) = ? THEN 'open' ELSE state END,
                      resolved_at = CASE WHEN state = 'resolved' AND coalesce(resolved_by, ?) = ? THEN NULL ELSE resolved_at END,
                      resolved_by = CASE WHEN state = 'resolved' AND coalesce(resolved_by, ?) = ? THEN NULL ELSE resolved_by END
                    """, [.integer(imageID), .float(now), .text(String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)),
                          own, own, own, own, own, own])
            }
            // What this digest had and no longer has (a new database withdrew or narrowed it):
            // resolved by its own digest, last seen at the evaluation before this one.
            if !gone.isEmpty {
                _ = try await writer.query("""
                    UPDATE defender_findings SET state = 'resolved', resolved_at = ?, resolved_by = ?, last_seen = ?
                    WHERE image_id = ? AND key IN (SELECT value FROM json_each(?))
                    """, [.float(now), .text(image.digest), .float(image.evaluatedAt ?? now), .integer(imageID),
                          .text(Self.jsonText(gone))])
            }
            // The vulnerability-ID index: added to for new findings, rebuilt when findings went
            // away or changed their records (their aliases may have gone), or when the image has
            // none though it has open findings (a delete, or an index taking its platforms over,
            // emptied it; the image is back on its own).
            var unindexed = false
            if stored.values.contains(where: { $0.state == "open" }) {
                unindexed = try await writer.query("SELECT 1 AS x FROM defender_finding_ids WHERE image_id = ? LIMIT 1",
                                                   [.integer(imageID)]).isEmpty
            }
            if !gone.isEmpty || rewritten || unindexed {
                try await reindex(imageID: imageID)
            } else if !rows.isEmpty {
                _ = try await writer.query("""
                    INSERT OR IGNORE INTO defender_finding_ids (id, image_id)
                    SELECT f.vulnerability_id, f.image_id FROM defender_findings f
                    WHERE f.image_id = ? AND f.state = 'open' AND f.key IN (SELECT value FROM json_each(?))
                    UNION ALL SELECT j.value, f.image_id FROM defender_findings f JOIN defender_finding_bodies b ON b.hash = f.body_hash,
                      json_each(b.body, '$.aliases') j
                    WHERE f.image_id = ? AND f.state = 'open' AND f.key IN (SELECT value FROM json_each(?))
                    """, [.integer(imageID), .text(Self.jsonText(rows.map(\.key))), .integer(imageID), .text(Self.jsonText(rows.map(\.key)))])
            }
            if !rows.isEmpty { try await applyExemptions(imageIDs: [imageID]) }
            var changes = FindingChanges()
            changes.opened = rows.filter { stored[$0.key].map { $0.state == "resolved" } ?? true }.map { FindingChanges.Change(imageID: imageID, key: $0.key) }
            changes.resolved = gone.map { FindingChanges.Change(imageID: imageID, key: $0) }
            changes.resolved += try await resolveReplacedDigests(of: image, tags: tags, now: now) {
                guard scope != nil else { return current }
                return Set(try await writer.query("SELECT key FROM defender_findings WHERE image_id = ? AND state != 'resolved'",
                                                  [.integer(imageID)]).compactMap { $0.string("key") })
            }
            return changes
        }
    }

    /// Findings an evaluation opened or resolved: (image, finding key) pairs.
    public struct FindingChanges: Sendable {
        public struct Change: Sendable, Hashable {
            public var imageID: Int
            public var key: String
        }
        public var opened: [Change] = []
        public var resolved: [Change] = []
    }

    /// A tag moved to an image scanned before (`crane tag`, a re-push of an old digest): resolve
    /// what the digests it replaced had and this one does not.
    @discardableResult
    public func resolveReplaced(imageID: Int, now: Double) async throws -> FindingChanges {
        guard let image = try await image(id: imageID), image.status == .completed else { return FindingChanges() }
        return try await transaction {
            let current = Set(try await writer.query("SELECT key FROM defender_findings WHERE image_id = ? AND state != 'resolved'",
                                                     [.integer(imageID)]).compactMap { $0.string("key") })
            let tags = try await writer.query("SELECT tag FROM defender_tags WHERE registry = ? AND repository = ? AND digest = ?",
                                              [.text(image.registry), .text(image.repository), .text(image.digest)]).compactMap { $0.string("tag") }
            return FindingChanges(resolved: try await resolveReplacedDigests(of: image, tags: tags, now: now) { current })
        }
    }

    /// What the digests `image` replaced under its tags had, and it does not have (the keys
    /// `current` gives, asked for only when there is such a digest): resolved by this digest,
    /// unless another tag still points at them (still in use there).
    private func resolveReplacedDigests(of image: ImageRecord, tags: [String], now: Double,
                                        current currentKeys: () async throws -> Set<String>) async throws -> [FindingChanges.Change] {
        var known: Set<String>?
        var resolved: [FindingChanges.Change] = []
        for tag in tags {
            for (digest, _) in try await earlierTagDigests(image: image, tag: tag) {
                if known == nil { known = try await currentKeys() }
                let current = known ?? []
                guard let old = try await writer.query("""
                    SELECT i.id FROM defender_images i WHERE i.registry = ? AND i.repository = ? AND i.digest = ?
                      AND NOT EXISTS (SELECT 1 FROM defender_tags t WHERE t.registry = i.registry AND t.repository = i.repository
                                      AND t.digest = i.digest)
                    """, [.text(image.registry), .text(image.repository), .text(digest)]).first?.column("id")?.integer else { continue }
                let rows = try await writer.query("SELECT key FROM defender_findings WHERE image_id = ? AND state = 'open'", [.integer(old)])
                for row in rows {
                    guard let key = row.string("key"), !current.contains(key) else { continue }
                    _ = try await writer.query("""
                        UPDATE defender_findings SET state = 'resolved', resolved_at = ?, resolved_by = ?,
                          last_seen = max(last_seen, coalesce((SELECT evaluated_at FROM defender_images WHERE id = ?), last_seen))
                        WHERE image_id = ? AND key = ?
                        """, [.float(now), .text(image.digest), .integer(old), .integer(old), .text(key)])
                    resolved.append(FindingChanges.Change(imageID: old, key: key))
                }
                try await reindex(imageID: old)
            }
        }
        return resolved
    }

    private func earlierTagDigests(image: ImageRecord, tag: String) async throws -> [(String, Double)] {
        try await writer.query("""
            SELECT digest, max(until) AS until FROM defender_tag_history
            WHERE registry = ? AND repository = ? AND tag = ? AND until IS NOT NULL AND digest != ? GROUP BY digest
            """, [.text(image.registry), .text(image.repository), .text(tag), .text(image.digest)]).compactMap { row in
            guard let digest = row.string("digest") else { return nil }
            return (digest, row.double("until") ?? 0)
        }
    }

    /// Finding bodies no image refers to any more.
    @discardableResult
    public func removeUnusedBodies() async throws -> Int {
        try await write("DELETE FROM defender_finding_bodies WHERE hash NOT IN (SELECT body_hash FROM defender_findings) RETURNING hash").count
    }

    /// Rebuilds the vulnerability-ID index of an image from its open findings (IDs and aliases).
    private func reindex(imageID: Int) async throws {
        _ = try await writer.query("DELETE FROM defender_finding_ids WHERE image_id = ?", [.integer(imageID)])
        _ = try await writer.query("""
            INSERT OR IGNORE INTO defender_finding_ids (id, image_id)
            SELECT vulnerability_id, image_id FROM defender_findings WHERE image_id = ? AND state = 'open'
            UNION ALL SELECT j.value, f.image_id FROM defender_findings f JOIN defender_finding_bodies b ON b.hash = f.body_hash,
              json_each(b.body, '$.aliases') j WHERE f.image_id = ? AND f.state = 'open'
            """, [.integer(imageID), .integer(imageID)])
    }

    // MARK: Reading findings

    /// - Parameter now: exemptions that expired before it no longer count.
    public func findings(imageID: Int, now: Double) async throws -> [StoredFinding] {
        let decoder = JSONDecoder()
        return try await reader.query("""
            SELECT f.key AS key, \(Self.effectiveState) AS state, f.first_seen AS first_seen, f.exemption_id AS exemption_id,
              f.body_hash AS hash,
              CASE WHEN f.state = 'resolved' THEN f.last_seen ELSE max(f.last_seen, coalesce(i.evaluated_at, 0)) END AS last_seen,
              f.resolved_at AS resolved_at, f.resolved_by AS resolved_by, b.body AS body
            FROM defender_findings f JOIN defender_finding_bodies b ON b.hash = f.body_hash
            JOIN defender_images i ON i.id = f.image_id WHERE f.image_id = ?
            """, [.float(now), .integer(imageID)]).compactMap { row in
            guard let finding = decodedBody(hash: row.string("hash"), json: row.data("body"), decoder: decoder) else { return nil }
            return StoredFinding(key: row.string("key") ?? "", finding: finding,
                                 state: FindingState(rawValue: row.string("state") ?? "") ?? .open,
                                 firstSeen: row.double("first_seen") ?? 0, lastSeen: row.double("last_seen") ?? 0,
                                 resolvedAt: row.double("resolved_at"), resolvedBy: row.string("resolved_by"),
                                 exemptionID: row.string("state") == "exempted" ? row.int("exemption_id") : nil)
        }
    }

    /// A stored finding body, decoded once per hash: bodies never change under their hash, and
    /// many images share them (the same package in the same base layer).
    private func decodedBody(hash: String?, json: Data?, decoder: JSONDecoder) -> Finding? {
        if let hash, let known = decodedBodies[hash] { return known }
        guard let json, let finding = try? decoder.decode(Finding.self, from: json) else { return nil }
        if let hash {
            if decodedBodies.count >= Self.decodedBodyLimit { decodedBodies.removeAll(keepingCapacity: true) }
            decodedBodies[hash] = finding
        }
        return finding
    }

    /// In report order: a re-match that touched only some packages merges its remediations into
    /// the stored list without sorting it.
    public func remediations(imageID: Int) async throws -> [Remediation] {
        (try await reader.query("SELECT remediations FROM defender_images WHERE id = ?", [.integer(imageID)]).first?
            .decode("remediations", as: [Remediation].self) ?? []).sorted(by: RemediationPlanner.reportOrder)
    }

    public func warnings(imageID: Int) async throws -> [String] {
        try await reader.query("SELECT warnings FROM defender_images WHERE id = ?", [.integer(imageID)]).first?
            .decode("warnings", as: [String].self) ?? []
    }

    /// Findings per image, state and severity: the counts `findings list` and `status` show.
    public func findingCounts(now: Double) async throws -> [Int: [String: [String: Int]]] {
        if let cached = countsCache, cached.generation == generation, now >= cached.now, now < cached.validUntil {
            return cached.counts
        }
        let counts = try await findingCounts(now: now, imageID: nil)
        // Valid until the next write, or until the next exemption in force expires.
        let nextExpiry = try await reader.query("""
            SELECT min(expires_at) AS at FROM defender_exemptions WHERE removed_at IS NULL AND expires_at > ?
            """, [.float(now)]).first?.double("at") ?? .infinity
        countsCache = (generation, now, nextExpiry, counts)
        return counts
    }

    /// One image's counts (the image view), without reading every image's.
    public func findingCounts(now: Double, imageID: Int?) async throws -> [Int: [String: [String: Int]]] {
        var out: [Int: [String: [String: Int]]] = [:]
        for row in try await reader.query("""
            SELECT f.image_id AS image_id, CASE WHEN f.state != 'resolved' AND f.exemption_id != 0 AND EXISTS (
                SELECT 1 FROM defender_exemptions e WHERE e.id = f.exemption_id AND e.removed_at IS NULL
                  AND coalesce(e.expires_at, 1e300) > ?) THEN 'exempted' ELSE f.state END AS effective,
              f.severity AS severity, sum(f.n) AS n FROM defender_counts f WHERE f.n > 0 AND (?2 IS NULL OR f.image_id = ?2)
            GROUP BY image_id, effective, severity
            """, [.float(now), imageID.map { .integer($0) } ?? .null]) {
            guard let id = row.column("image_id")?.integer else { continue }
            out[id, default: [:]][row.string("effective") ?? "", default: [:]][row.string("severity") ?? "UNKNOWN"] = row.int("n") ?? 0
        }
        return out
    }

    /// `findings affected` as a JSON array, built by SQLite: a widespread CVE is in thousands of
    /// images, and building and encoding that many rows in Swift took most of the answer's time.
    /// Each element has `registry`, `repository`, `digest`, `tags` and `scanStatus`.
    public func affectedJSON(by id: String) async throws -> String {
        try await reader.query("""
            SELECT coalesce(json_group_array(json_object('registry', i.registry, 'repository', i.repository, 'digest', i.digest,
              'tags', json((SELECT json_group_array(t.tag) FROM (SELECT tag FROM defender_tags t WHERE t.registry = i.registry
                            AND t.repository = i.repository AND t.digest = i.digest ORDER BY tag) t)),
              'scanStatus', i.status)), '[]') AS images
            FROM (SELECT i.registry, i.repository, i.digest, i.status FROM defender_finding_ids f JOIN defender_images i ON i.id = f.image_id
                  WHERE f.id = ? AND i.deleted_at IS NULL ORDER BY i.repository, i.digest) i
            """, [.text(id)]).first?.string("images") ?? "[]"
    }

}

/// A finding as stored: its JSON (text, since SQLite's JSON functions would read a BLOB as
/// JSONB) and the SHA-256 of that JSON, which names it in `defender_finding_bodies`.
public struct FindingBody: Sendable {
    public var hash: String
    public var json: String

    public init(_ finding: Finding) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(finding)) ?? Data("{}".utf8)
        json = String(decoding: data, as: UTF8.self)
        hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
