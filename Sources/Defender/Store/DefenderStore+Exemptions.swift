import Foundation
import SQLiteNIO

/// Exemptions and their effect on findings. Each finding row records the exemption that covers
/// it (`exemption_id`, the covering exemption that lasts longest), worked out when exemptions
/// change and when an image is matched again. Whether it still applies — not expired, not
/// removed — is decided when findings are read, against the reader's clock: an expiry needs no
/// sweep to reopen what it covered.
extension DefenderStore {
    /// A finding row's state as users see it (`f` is defender_findings; binds the time once).
    static let effectiveState = """
        CASE WHEN f.state != 'resolved' AND f.exemption_id IS NOT NULL AND EXISTS (SELECT 1 FROM defender_exemptions e
          WHERE e.id = f.exemption_id AND e.removed_at IS NULL AND coalesce(e.expires_at, 1e300) > ?) THEN 'exempted' ELSE f.state END
        """

    public func addExemptions(_ requests: [ExemptionRequest], by identity: String, now: Double) async throws -> [Exemption] {
        let ids = try await transaction {
            var ids: [Int] = []
            for request in requests {
                let row = try await writer.query("""
                    INSERT INTO defender_exemptions (vulnerability, package, purl, repository, max_severity, justification,
                      created_by, created_at, expires_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                    """, [.optional(request.vulnerability), .optional(request.package), .optional(request.purl),
                          .optional(request.repository), .optional(request.maxSeverity), .text(request.justification),
                          .text(identity), .float(now), .optional(request.expiresAt), .text(request.source)])
                if let id = row.first?.column("id")?.integer { ids.append(id) }
            }
            try await applyExemptions(imageIDs: nil)
            return ids
        }
        let all = try await exemptions(includeInactive: true, now: now)
        return ids.compactMap { id in all.first { $0.id == id } }
    }

    /// Marks an exemption removed (kept, with who removed it and when, for the record).
    public func removeExemption(id: Int, by identity: String, now: Double) async throws -> Exemption {
        let changed = try await transaction {
            let rows = try await writer.query("""
                UPDATE defender_exemptions SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL RETURNING id
                """, [.float(now), .text(identity), .integer(id)])
            if !rows.isEmpty { try await applyExemptions(imageIDs: nil) }
            return !rows.isEmpty
        }
        guard changed, let exemption = try await exemptions(includeInactive: true, now: now).first(where: { $0.id == id }) else {
            throw DefenderError(.notFound, "no exemption \(id) in force")
        }
        return exemption
    }

    /// In force (or, with `includeInactive`, also expired and removed ones), oldest first.
    public func exemptions(includeInactive: Bool, now: Double) async throws -> [Exemption] {
        try await reader.query("SELECT * FROM defender_exemptions ORDER BY id").compactMap { row in
            guard let id = row.int("id") else { return nil }
            let exemption = Exemption(
                id: id, vulnerability: row.string("vulnerability"), package: row.string("package"), purl: row.string("purl"),
                repository: row.string("repository"), maxSeverity: row.string("max_severity"),
                justification: row.string("justification") ?? "", createdBy: row.string("created_by") ?? "",
                createdAt: row.double("created_at") ?? 0, expiresAt: row.double("expires_at"), removedAt: row.double("removed_at"),
                removedBy: row.string("removed_by"), source: row.string("source") ?? "manual")
            return includeInactive || exemption.isActive(now: now) ? exemption : nil
        }
    }

    /// Works out which exemption covers each finding of the given images (of all images when
    /// nil). Runs inside the caller's transaction. Exemptions are applied from the shortest-lived
    /// to the longest-lived, so a finding ends up with the one that lasts longest. Removed
    /// exemptions are left out; expired ones are kept (they are checked on read, and any
    /// exemption still in force lasts longer and wins).
    func applyExemptions(imageIDs: [Int]?) async throws {
        let exemptions = try await writer.query("""
            SELECT * FROM defender_exemptions WHERE removed_at IS NULL ORDER BY coalesce(expires_at, 1e300), id
            """)
        // A finding pointing at a removed exemption reads as not exempted; only a sweep over
        // every image (after a change to the exemptions) needs to clear those pointers.
        if exemptions.isEmpty && imageIDs != nil { return }
        let scope = imageIDs.map { Self.jsonText($0.map(String.init)) }
        let imageFilter = scope == nil ? "" : " AND image_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        let scopeBinds: [SQLiteData] = scope.map { [.text($0)] } ?? []
        _ = try await writer.query("UPDATE defender_findings SET exemption_id = NULL WHERE exemption_id IS NOT NULL" + imageFilter, scopeBinds)
        guard !exemptions.isEmpty else { return }
        let idFilter = scope == nil ? "" : " AND id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        let images = try await writer.query("SELECT id, repository FROM defender_images WHERE deleted_at IS NULL" + idFilter, scopeBinds)
            .compactMap { row -> (Int, String)? in row.int("id").flatMap { id in row.string("repository").map { (id, $0) } } }
        for row in exemptions {
            guard let id = row.int("id") else { continue }
            var targets = images
            if let pattern = row.string("repository") {
                targets = targets.filter { RepositoryPattern.matches(pattern, $0.1) }
            }
            guard !targets.isEmpty else { continue }
            let maxRank = row.string("max_severity").map(Exemption.rank)
            // ?1 exemption, ?2 images, ?3 vulnerability, ?4 package, ?5 purl, ?6 severity rank.
            _ = try await writer.query("""
                UPDATE defender_findings AS f SET exemption_id = ?1
                WHERE f.image_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2)) AND f.state != 'resolved'
                  AND (?3 IS NULL OR f.vulnerability_id = ?3 OR EXISTS (SELECT 1 FROM defender_finding_bodies b,
                       json_each(b.body, '$.aliases') a WHERE b.hash = f.body_hash AND a.value = ?3))
                  AND (?4 IS NULL OR EXISTS (SELECT 1 FROM defender_finding_bodies b WHERE b.hash = f.body_hash
                       AND (lower(b.body->>'$.package.name') = lower(?4) OR lower(b.body->>'$.package.sourceName') = lower(?4))))
                  AND (?5 IS NULL OR EXISTS (SELECT 1 FROM (SELECT b.body->>'$.package.purl' AS p FROM defender_finding_bodies b
                       WHERE b.hash = f.body_hash) q
                       WHERE q.p = ?5 OR (substr(q.p, 1, length(?5)) = ?5 AND substr(q.p, length(?5) + 1, 1) IN ('?', '#'))))
                  AND (?6 IS NULL OR (CASE upper(f.severity) WHEN 'NONE' THEN 0 WHEN 'LOW' THEN 1 WHEN 'MEDIUM' THEN 2
                       WHEN 'HIGH' THEN 3 WHEN 'CRITICAL' THEN 4 ELSE 5 END) <= ?6)
                """, [.integer(id), .text(Self.jsonText(targets.map { String($0.0) })),
                      .optional(row.string("vulnerability")), .optional(row.string("package")), .optional(row.string("purl")),
                      maxRank.map { .integer($0) } ?? .null])
        }
    }
}
