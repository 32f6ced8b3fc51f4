import Foundation
import NIOCore
import SQLiteNIO

/// External scanners (Harbor scanner API adapters) the defender sends images to, which
/// scanners each subscription uses, and the last report of each external scanner per image.
extension DefenderStore {
    static let scannerSchema = [
        """
        CREATE TABLE IF NOT EXISTS defender_scanners (name TEXT PRIMARY KEY, url TEXT NOT NULL, authorization TEXT,
          created_by TEXT NOT NULL, created_at REAL NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS defender_external_reports (image_id INTEGER NOT NULL, scanner TEXT NOT NULL, status TEXT NOT NULL,
          message TEXT, report BLOB, scanned_at REAL NOT NULL, PRIMARY KEY (image_id, scanner)) WITHOUT ROWID
        """,
    ]

    public struct ExternalScanner: Sendable, Codable {
        public var name: String
        public var url: String
        /// The `Authorization` header sent to the adapter (never shown back).
        public var authorization: String?
        public var createdBy: String
        public var createdAt: Double
    }

    public func addScanner(_ scanner: ExternalScanner) async throws {
        let rows = try await write("""
            INSERT INTO defender_scanners (name, url, authorization, created_by, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, [.text(scanner.name), .text(scanner.url),
                  .optional(try scanner.authorization.map { try sealText($0, context: Self.scannerAuthorizationContext) }),
                  .text(scanner.createdBy), .float(scanner.createdAt)])
        guard !rows.isEmpty else { throw DefenderError(.conflict, "a scanner named '\(scanner.name)' exists") }
    }

    public func removeScanner(name: String) async throws -> Bool {
        !(try await write("DELETE FROM defender_scanners WHERE name = ? RETURNING name", [.text(name)])).isEmpty
    }

    public func scanners() async throws -> [ExternalScanner] {
        try await reader.query("SELECT * FROM defender_scanners ORDER BY name").map {
            ExternalScanner(name: $0.string("name") ?? "", url: $0.string("url") ?? "",
                            authorization: $0.string("authorization").map { unsealText($0, context: Self.scannerAuthorizationContext) ?? "" },
                            createdBy: $0.string("created_by") ?? "", createdAt: $0.double("created_at") ?? 0)
        }
    }

    /// `builtin`, `external` or `both`: which scanners a subscription's images go to.
    public func scannerMode(subscription: String) async throws -> String {
        try await setting("scanners:\(subscription)") ?? "builtin"
    }

    public func setScannerMode(subscription: String, _ mode: String) async throws {
        try await setSetting("scanners:\(subscription)", mode)
    }

    /// The subscription an image's registry belongs to.
    func subscription(ofRegistry registry: String) async throws -> String {
        try await reader.query("SELECT subscription FROM defender_registries WHERE name = ?", [.text(registry)]).first?
            .string("subscription") ?? DefenderConfiguration.defaultSubscription
    }

    public struct ExternalReport: Sendable, Codable {
        public var scanner: String
        public var status: String
        public var message: String?
        public var scannedAt: Double
        public var report: Data?
    }

    func saveExternalReport(imageID: Int, _ report: ExternalReport) async throws {
        try await write("""
            INSERT INTO defender_external_reports (image_id, scanner, status, message, report, scanned_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (image_id, scanner) DO UPDATE SET status = excluded.status, message = excluded.message,
              report = excluded.report, scanned_at = excluded.scanned_at
            """, [.integer(imageID), .text(report.scanner), .text(report.status), .optional(report.message),
                  report.report.map { .blob(ByteBuffer(bytes: $0)) } ?? .null, .float(report.scannedAt)])
    }

    public func externalReports(imageID: Int) async throws -> [ExternalReport] {
        try await reader.query("SELECT * FROM defender_external_reports WHERE image_id = ? ORDER BY scanner", [.integer(imageID)]).map {
            ExternalReport(scanner: $0.string("scanner") ?? "", status: $0.string("status") ?? "", message: $0.string("message"),
                           scannedAt: $0.double("scanned_at") ?? 0, report: $0.data("report"))
        }
    }
}
