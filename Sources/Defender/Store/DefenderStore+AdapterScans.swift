import Foundation
import NIOCore
import SQLiteNIO

/// Scans asked for through the Harbor scanner API: the request (with the registry
/// credentials it carried, dropped once the scan ends), its state and its report. Kept in the
/// store so that a restart finishes what was accepted.
extension DefenderStore {
    static let adapterSchema = [
        """
        CREATE TABLE IF NOT EXISTS defender_adapter_scans (id TEXT PRIMARY KEY, request BLOB NOT NULL, state TEXT NOT NULL,
          report BLOB, raw BLOB, error TEXT, created_at REAL NOT NULL, finished_at REAL)
        """,
    ]

    func addAdapterScan(id: String, request: Data, now: Double) async throws {
        try await write("INSERT INTO defender_adapter_scans (id, request, state, created_at) VALUES (?, ?, 'queued', ?)",
                        [.text(id), .blob(ByteBuffer(bytes: request)), .float(now)])
    }

    struct AdapterScan: Sendable {
        var id: String
        var request: Data
        var state: String
        var report: Data?
        var raw: Data?
        var error: String?
    }

    func adapterScan(id: String) async throws -> AdapterScan? {
        guard let row = try await reader.query("SELECT * FROM defender_adapter_scans WHERE id = ?", [.text(id)]).first else { return nil }
        return AdapterScan(id: id, request: row.data("request") ?? Data(), state: row.string("state") ?? "", report: row.data("report"),
                           raw: row.data("raw"), error: row.string("error"))
    }

    /// Scans accepted but not finished (a restart runs them again).
    func unfinishedAdapterScans() async throws -> [String] {
        try await reader.query("SELECT id FROM defender_adapter_scans WHERE state IN ('queued', 'running') ORDER BY created_at")
            .compactMap { $0.string("id") }
    }

    func setAdapterScanRunning(id: String) async throws {
        try await write("UPDATE defender_adapter_scans SET state = 'running' WHERE id = ?", [.text(id)])
    }

    /// Finished: the report (or the error), and the request without its credentials.
    func finishAdapterScan(id: String, request: Data, report: Data?, raw: Data?, error: String?, now: Double) async throws {
        try await write("""
            UPDATE defender_adapter_scans SET state = ?, request = ?, report = ?, raw = ?, error = ?, finished_at = ? WHERE id = ?
            """, [.text(error == nil ? "done" : "failed"), .blob(ByteBuffer(bytes: request)), report.map { .blob(ByteBuffer(bytes: $0)) } ?? .null,
                  raw.map { .blob(ByteBuffer(bytes: $0)) } ?? .null, .optional(error), .float(now), .text(id)])
    }
}

extension DefenderStore {
    /// Every scan the scanner API accepted, oldest first (for diagnosis and tests).
    func adapterScans() async throws -> [AdapterScan] {
        try await reader.query("SELECT * FROM defender_adapter_scans ORDER BY created_at").map { row in
            AdapterScan(id: row.string("id") ?? "", request: row.data("request") ?? Data(), state: row.string("state") ?? "",
                        report: row.data("report"), raw: row.data("raw"), error: row.string("error"))
        }
    }
}
