import Foundation
import Logging
import SQLiteNIO

/// Writes a new database file: schema, then advisories in large multi-row inserts inside
/// transactions (row-at-a-time inserts would dominate the build), then metadata. The file is
/// built under a temporary name and renamed into place only when complete, so a reader never
/// sees half a database and a failed build leaves the previous one untouched.
final class VulnDatabaseWriter {
    private let connection: SQLiteConnection
    private let temporaryPath: String
    let outputPath: String
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func create(at outputPath: String, logger: Logger) async throws -> VulnDatabaseWriter {
        let temporaryPath = outputPath + ".partial-\(UInt32.random(in: 0...UInt32.max))"
        let connection = try await SQLiteConnection.open(storage: .file(path: temporaryPath), logger: logger)
        let writer = VulnDatabaseWriter(connection: connection, temporaryPath: temporaryPath, outputPath: outputPath)
        do {
            for statement in [
                "PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA page_size=8192",
                "CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "CREATE TABLE vulnerabilities (id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID",
                "CREATE TABLE aliases (alias TEXT NOT NULL, vulnerability_id TEXT NOT NULL, PRIMARY KEY (alias, vulnerability_id)) WITHOUT ROWID",
                "CREATE TABLE affected (namespace TEXT NOT NULL, package TEXT NOT NULL, vulnerability_id TEXT NOT NULL, record TEXT NOT NULL)",
                "CREATE TABLE sources (name TEXT PRIMARY KEY, format TEXT NOT NULL, records INTEGER NOT NULL, affected INTEGER NOT NULL, skipped INTEGER NOT NULL, report TEXT NOT NULL)",
            ] {
                _ = try await connection.query(statement)
            }
        } catch {
            await writer.abandon()
            throw error
        }
        return writer
    }

    private init(connection: SQLiteConnection, temporaryPath: String, outputPath: String) {
        self.connection = connection
        self.temporaryPath = temporaryPath
        self.outputPath = outputPath
    }

    func write(vulnerabilities: [Vulnerability]) async throws {
        try await transaction {
            var rows: [[SQLiteData]] = []
            var aliasRows: [[SQLiteData]] = []
            for v in vulnerabilities {
                rows.append([.text(v.id), .text(String(decoding: try self.encoder.encode(v), as: UTF8.self))])
                for alias in Set(v.aliases) where alias != v.id { aliasRows.append([.text(alias), .text(v.id)]) }
            }
            try await self.insert("INSERT OR REPLACE INTO vulnerabilities (id, record)", rows)
            try await self.insert("INSERT OR IGNORE INTO aliases (alias, vulnerability_id)", aliasRows)
        }
    }

    func write(affected: [AffectedPackage]) async throws {
        try await transaction {
            let rows: [[SQLiteData]] = try affected.map {
                [.text($0.namespace), .text($0.package), .text($0.vulnerabilityID),
                 .text(String(decoding: try self.encoder.encode($0), as: UTF8.self))]
            }
            try await self.insert("INSERT INTO affected (namespace, package, vulnerability_id, record)", rows)
        }
    }

    func write(source: String, format: String, records: Int, affected: Int, skipped: Int, report: String) async throws {
        _ = try await connection.query(
            "INSERT OR REPLACE INTO sources (name, format, records, affected, skipped, report) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(source), .text(format), .integer(records), .integer(affected), .integer(skipped), .text(report)])
    }

    /// Adds indexes (cheaper once, after the data), metadata, then renames the file into place.
    func finish(builtAt: Date) async throws {
        for statement in [
            "CREATE INDEX affected_key ON affected (namespace, package)",
            "CREATE INDEX affected_vulnerability ON affected (vulnerability_id)",
            "ANALYZE",
        ] {
            _ = try await connection.query(statement)
        }
        _ = try await connection.query("INSERT INTO metadata (key, value) VALUES ('schema_version', ?), ('built_at', ?)",
                                       [.text(String(VulnDatabase.schemaVersion)), .text(String(builtAt.timeIntervalSince1970))])
        _ = try await connection.query("VACUUM")
        try await connection.close()
        // Built with synchronous=OFF for speed: make it durable before it replaces a good one.
        try Self.sync(temporaryPath)
        guard rename(temporaryPath, outputPath) == 0 else {
            unlink(temporaryPath)
            throw VulnDBError("cannot move the new database to \(outputPath): \(String(cString: strerror(errno)))")
        }
    }

    /// fsync of a file, then of its directory after the caller's rename.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VulnDBError("cannot open \(path) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw VulnDBError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    func abandon() async {
        try? await connection.close()
        unlink(temporaryPath)
    }

    private func transaction(_ body: () async throws -> Void) async throws {
        _ = try await connection.query("BEGIN")
        do {
            try await body()
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// Multi-row INSERT, chunked below SQLite's bound-parameter limit.
    private func insert(_ prefix: String, _ rows: [[SQLiteData]]) async throws {
        guard let width = rows.first?.count else { return }
        let perStatement = max(1, 30000 / width)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            let placeholders = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
            let sql = prefix + " VALUES " + Array(repeating: placeholders, count: chunk.count).joined(separator: ",")
            _ = try await connection.query(sql, chunk.flatMap { $0 })
            start += perStatement
        }
    }
}
