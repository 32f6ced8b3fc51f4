import Foundation
import SQLiteNIO

/// Usage for billing: distinct image digests matched per subscription and calendar month (UTC).
extension DefenderStore {
    /// `YYYY-MM` of a time, in UTC.
    public static func period(of time: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: time))
        return String(format: "%04d-%02d", parts.year ?? 1970, parts.month ?? 1)
    }

    /// Counts the image as scanned this period, when its subscription's plan is on (a disabled
    /// plan is charged nothing from the moment it is disabled). Runs inside the caller's
    /// transaction; a digest already counted this period is left as it is.
    func recordUsage(imageID: Int, now: Double) async throws {
        _ = try await writer.query("""
            INSERT OR IGNORE INTO defender_usage (subscription, period, digest, registry, first_at)
            SELECT s.name, ?, i.digest, i.registry, ? FROM defender_images i
            JOIN defender_registries r ON r.name = i.registry JOIN defender_subscriptions s ON s.name = r.subscription AND s.enabled = 1
            WHERE i.id = ?
            """, [.text(Self.period(of: now)), .float(now), .integer(imageID)])
    }

    /// Digests counted in a period: subscription → registry → count.
    public func usage(period: String) async throws -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for row in try await reader.query("""
            SELECT subscription, registry, count(*) AS n FROM defender_usage WHERE period = ? GROUP BY subscription, registry
            """, [.text(period)]) {
            guard let subscription = row.string("subscription"), let registry = row.string("registry") else { continue }
            out[subscription, default: [:]][registry] = row.int("n") ?? 0
        }
        return out
    }
}
