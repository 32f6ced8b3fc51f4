import Foundation
import SQLiteNIO

/// Read-only summaries for the dashboard and the admin API: the findings trend and the
/// per-image details of one vulnerability.
extension DefenderStore {
    public struct TrendDay: Sendable, Codable, Equatable {
        /// `YYYY-MM-DD`, UTC.
        public var date: String
        public var opened: Int
        public var resolved: Int
    }

    /// Findings first seen and resolved per day over the last `days` days (UTC), oldest first,
    /// every day present. Counts findings of the images the defender lists (not deleted).
    public func trend(days: Int, now: Double) async throws -> [TrendDay] {
        let today = floor(now / 86400)
        let start = (today - Double(days - 1)) * 86400
        var opened: [Int: Int] = [:]
        var resolved: [Int: Int] = [:]
        for row in try await reader.query("""
            SELECT CAST(f.first_seen / 86400 AS INTEGER) AS day, count(*) AS n FROM defender_findings f
            JOIN defender_images i ON i.id = f.image_id WHERE i.deleted_at IS NULL AND i.part_of IS NULL AND f.first_seen >= ?
            GROUP BY day
            """, [.float(start)]) {
            if let day = row.int("day") { opened[day] = row.int("n") ?? 0 }
        }
        for row in try await reader.query("""
            SELECT CAST(f.resolved_at / 86400 AS INTEGER) AS day, count(*) AS n FROM defender_findings f
            JOIN defender_images i ON i.id = f.image_id WHERE i.deleted_at IS NULL AND i.part_of IS NULL
              AND f.state = 'resolved' AND f.resolved_at >= ? GROUP BY day
            """, [.float(start)]) {
            if let day = row.int("day") { resolved[day] = row.int("n") ?? 0 }
        }
        return (0..<days).map { offset in
            let day = Int(today) - (days - 1) + offset
            return TrendDay(date: String(Time.iso(Double(day) * 86400).prefix(10)), opened: opened[day] ?? 0, resolved: resolved[day] ?? 0)
        }
    }

    /// One image's finding of a vulnerability (by ID or alias): what the vulnerability page lists.
    public struct AffectedImage: Sendable, Codable {
        public var registry: String
        public var repository: String
        public var digest: String
        public var scanStatus: String
        public var package: String
        public var version: String
        public var location: String
        public var fixedVersion: String?
        public var severity: String
        public var state: String
    }

    /// Every image with a finding of `id` that is not resolved (open or exempted), with the
    /// package and the fixed version, in repository order; at most `limit` rows.
    public func affectedImages(id: String, now: Double, limit: Int = 10_000) async throws -> [AffectedImage] {
        try await reader.query("""
            SELECT i.registry AS registry, i.repository AS repository, i.digest AS digest, i.status AS status,
              b.body->>'$.package.name' AS package, b.body->>'$.package.version' AS version, b.body->>'$.package.location' AS location,
              b.body->>'$.fixedVersion' AS fixed, f.severity AS severity, \(Self.effectiveState) AS effective
            FROM defender_finding_ids x JOIN defender_images i ON i.id = x.image_id
            JOIN defender_findings f ON f.image_id = i.id JOIN defender_finding_bodies b ON b.hash = f.body_hash
            WHERE x.id = ?2 AND i.deleted_at IS NULL AND f.state != 'resolved'
              AND (f.vulnerability_id = ?2 OR EXISTS (SELECT 1 FROM json_each(b.body, '$.aliases') a WHERE a.value = ?2))
            ORDER BY i.repository, i.digest, package LIMIT ?3
            """, [.float(now), .text(id), .integer(limit)]).map { row in
            AffectedImage(registry: row.string("registry") ?? "", repository: row.string("repository") ?? "",
                          digest: row.string("digest") ?? "", scanStatus: row.string("status") ?? "",
                          package: row.string("package") ?? "", version: row.string("version") ?? "",
                          location: row.string("location") ?? "", fixedVersion: row.string("fixed"),
                          severity: row.string("severity") ?? "UNKNOWN", state: row.string("effective") ?? "open")
        }
    }
}
