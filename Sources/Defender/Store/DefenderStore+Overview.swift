import Foundation
import Matching
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
    /// every day present (from `defender_trend`, which the findings' triggers keep: a finding
    /// counts on the day it was first seen, and on the day it was resolved).
    public func trend(days: Int, now: Double) async throws -> [TrendDay] {
        let today = Int(floor(now / 86400))
        var byDay: [Int: (opened: Int, resolved: Int)] = [:]
        for row in try await reader.query("SELECT day, opened, resolved FROM defender_trend WHERE day > ? AND day <= ?",
                                          [.integer(today - days), .integer(today)]) {
            if let day = row.int("day") { byDay[day] = (row.int("opened") ?? 0, row.int("resolved") ?? 0) }
        }
        return (0..<days).map { offset in
            let day = today - (days - 1) + offset
            return TrendDay(date: String(Time.iso(Double(day) * 86400).prefix(10)), opened: byDay[day]?.opened ?? 0,
                            resolved: byDay[day]?.resolved ?? 0)
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
    public struct AffectedSummary: Sendable {
        public var images: Int
        public var fixable: Int
        public var exempted: Int
        /// Findings (an image can have it in several packages or places).
        public var findings: Int

        public init(images: Int, fixable: Int, exempted: Int, findings: Int) {
            self.images = images
            self.fixable = fixable
            self.exempted = exempted
            self.findings = findings
        }
    }

    /// How many images have `id` (not resolved), how many of them with a fixed version for it,
    /// and how many only as exempted findings; counted by SQLite (a widespread CVE is in
    /// thousands of images).
    public func affectedSummary(id: String, now: Double) async throws -> AffectedSummary {
        let aliasImages = try await imagesWithAlias(id)
        let row = try await reader.query("""
            SELECT count(DISTINCT image) AS images, count(DISTINCT CASE WHEN fixed IS NOT NULL THEN image END) AS fixable,
              count(DISTINCT CASE WHEN effective = 'exempted' THEN image END) AS exempted, count(*) AS findings FROM (
              SELECT i.id AS image, b.body->>'$.fixedVersion' AS fixed, \(Self.effectiveState) AS effective
              FROM defender_finding_ids x JOIN defender_images i ON i.id = x.image_id
              JOIN defender_findings f ON f.image_id = i.id JOIN defender_finding_bodies b ON b.hash = f.body_hash
              WHERE x.id = ?2 AND i.deleted_at IS NULL AND f.state != 'resolved' AND f.key >= ?2 || '|' AND f.key < ?2 || '}'
              UNION ALL
              SELECT i.id, b.body->>'$.fixedVersion', \(Self.effectiveState.replacingOccurrences(of: "?", with: "?1"))
              FROM defender_images i JOIN defender_findings f ON f.image_id = i.id JOIN defender_finding_bodies b ON b.hash = f.body_hash
              WHERE i.id IN (SELECT value FROM json_each(?3)) AND i.deleted_at IS NULL AND f.state != 'resolved'
                AND EXISTS (SELECT 1 FROM json_each(b.body, '$.aliases') a WHERE a.value = ?2))
            """, [.float(now), .text(id), .text("[" + aliasImages.map(String.init).joined(separator: ",") + "]")]).first
        return AffectedSummary(images: row?.int("images") ?? 0, fixable: row?.int("fixable") ?? 0, exempted: row?.int("exempted") ?? 0,
                               findings: row?.int("findings") ?? 0)
    }

    /// Images indexed under `id` without a finding keyed by it: they have it as an alias of
    /// another record (their bodies must be searched).
    private func imagesWithAlias(_ id: String) async throws -> [Int] {
        try await reader.query("""
            SELECT x.image_id AS image FROM defender_finding_ids x WHERE x.id = ?1 AND NOT EXISTS (
              SELECT 1 FROM defender_findings f WHERE f.image_id = x.image_id AND f.key >= ?1 || '|' AND f.key < ?1 || '}')
            """, [.text(id)]).compactMap { $0.int("image") }
    }

    public func affectedImages(id: String, now: Double, offset: Int = 0, limit: Int = 10_000) async throws -> [AffectedImage] {
        // Findings are keyed `ID|ecosystem|name|location`: those of the ID itself are a range of
        // the primary key. Only images that have the ID as an alias of another record (the
        // index says which) need their finding bodies searched.
        // The page's findings are chosen first (by key, no body read), then only they are read.
        let select = """
            SELECT i.registry AS registry, i.repository AS repository, i.digest AS digest, i.status AS status,
              b.body->>'$.package.name' AS package, b.body->>'$.package.version' AS version, b.body->>'$.package.location' AS location,
              b.body->>'$.fixedVersion' AS fixed, f.severity AS severity, \(Self.effectiveState) AS effective, i.id AS image
            FROM defender_images i JOIN defender_findings f ON f.image_id = i.id JOIN defender_finding_bodies b ON b.hash = f.body_hash
            """
        var rows = try await reader.query(select + """
             JOIN (SELECT f2.image_id AS image_id, f2.key AS key FROM defender_finding_ids x JOIN defender_images i2 ON i2.id = x.image_id
                   JOIN defender_findings f2 ON f2.image_id = i2.id
                   WHERE x.id = ?2 AND i2.deleted_at IS NULL AND f2.state != 'resolved' AND f2.key >= ?2 || '|' AND f2.key < ?2 || '}'
                   ORDER BY i2.repository, i2.digest, f2.key LIMIT ?3 OFFSET ?4) page ON page.image_id = f.image_id AND page.key = f.key
            ORDER BY i.repository, i.digest, f.key
            """, [.float(now), .text(id), .integer(limit), .integer(offset)])
        let viaAlias = rows.count < limit ? try await imagesWithAlias(id) : []
        if !viaAlias.isEmpty {
            rows += try await reader.query(select + """
                 WHERE i.id IN (SELECT value FROM json_each(?4)) AND i.deleted_at IS NULL AND f.state != 'resolved'
                 AND EXISTS (SELECT 1 FROM json_each(b.body, '$.aliases') a WHERE a.value = ?2)
                ORDER BY i.repository, i.digest, f.key LIMIT ?3
                """, [.float(now), .text(id), .integer(limit - rows.count), .text("[" + viaAlias.map(String.init).joined(separator: ",") + "]")])
        }
        return rows.prefix(limit).map { row in
            AffectedImage(registry: row.string("registry") ?? "", repository: row.string("repository") ?? "",
                          digest: row.string("digest") ?? "", scanStatus: row.string("status") ?? "",
                          package: row.string("package") ?? "", version: row.string("version") ?? "",
                          location: row.string("location") ?? "", fixedVersion: row.string("fixed"),
                          severity: row.string("severity") ?? "UNKNOWN", state: row.string("effective") ?? "open")
        }
    }
}

extension DefenderStore {
    /// Whether the trigger-kept counts equal a fresh aggregation of the findings (a check for
    /// tests and diagnosis; it reads every finding row). Returns the rows that differ.
    public func summaryDifferences() async throws -> [String] {
        try await reader.query("""
            SELECT coalesce(a.image_id, b.image_id) || ' ' || coalesce(a.state, b.state) || ' ' || coalesce(a.severity, b.severity)
                   || ' ' || coalesce(a.exemption_id, b.exemption_id) || ': counted ' || coalesce(b.n, 0) || ', stored ' || coalesce(a.n, 0) AS line
            FROM (SELECT image_id, state, severity, coalesce(exemption_id, 0) AS exemption_id, count(*) AS n FROM defender_findings
                  GROUP BY 1, 2, 3, 4) a
            FULL OUTER JOIN (SELECT * FROM defender_counts WHERE n != 0) b
              ON a.image_id = b.image_id AND a.state = b.state AND a.severity = b.severity AND a.exemption_id = b.exemption_id
            WHERE coalesce(a.n, 0) != coalesce(b.n, 0)
            """).compactMap { $0.string("line") }
    }
}

extension DefenderStore {
    /// One stored finding of a vulnerability (by ID or alias) that is not resolved: its title,
    /// severity, aliases and references, for a page about the vulnerability.
    public func findingRecord(id: String) async throws -> Finding? {
        let body = try await reader.query("""
            SELECT b.body AS body FROM defender_finding_ids x JOIN defender_findings f ON f.image_id = x.image_id
            JOIN defender_finding_bodies b ON b.hash = f.body_hash
            WHERE x.id = ?1 AND f.state != 'resolved'
              AND (f.vulnerability_id = ?1 OR EXISTS (SELECT 1 FROM json_each(b.body, '$.aliases') a WHERE a.value = ?1))
            LIMIT 1
            """, [.text(id)]).first?.data("body")
        return body.flatMap { try? JSONDecoder().decode(Finding.self, from: $0) }
    }
}
