import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// An identity as stored: the password only as a slow salted hash.
public struct StoredIdentity: Codable, Sendable, Equatable {
    public var name: String
    public var kind: IdentityKind
    public var passwordHash: String
    public var scopes: ScopeMap
    public var trusted: Bool
    public var enabled: Bool
    public var expiresAt: Double?
    public var createdAt: Double

    public func isExpired(at now: Double = Date().timeIntervalSince1970) -> Bool { expiresAt.map { $0 <= now } ?? false }

    public var identity: Identity { Identity(name: name, kind: kind, trusted: trusted, scopes: scopes) }
}

/// The access tables in the registry's metadata SQLite file (own connections; WAL lets them sit
/// beside the metadata store's). Migrations are `CREATE … IF NOT EXISTS`, so re-running is harmless.
actor AccessStore {
    private let writer: SQLiteConnection
    private let reader: SQLiteConnection
    /// The access tables' own SQLite thread: a log flush (thousands of rows, sometimes a WAL
    /// checkpoint) never occupies the threads that serve the registry's manifest and tag reads.
    private let threadPool: NIOThreadPool

    static func open(path: String, logger: Logger) async throws -> AccessStore {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        func connect() async throws -> SQLiteConnection {
            try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger,
                                            on: MultiThreadedEventLoopGroup.singleton.any())
        }
        var opened: [SQLiteConnection] = []
        do {
            opened.append(try await connect())
            opened.append(try await connect())
            try await migrate(writer: opened[0], reader: opened[1])
        } catch {
            for connection in opened { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return AccessStore(writer: opened[0], reader: opened[1], threadPool: threadPool)
    }

    private static func migrate(writer: SQLiteConnection, reader: SQLiteConnection) async throws {
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=15000"] {
            try await writer.sql().raw(SQLQueryString(pragma)).run()
        }
        try await reader.sql().raw("PRAGMA busy_timeout=15000").run()
        let db = writer.sql()
        try await db.raw("""
            CREATE TABLE IF NOT EXISTS access_identities (name TEXT PRIMARY KEY, kind TEXT NOT NULL,
              password_hash TEXT NOT NULL, scopes TEXT NOT NULL, trusted INTEGER NOT NULL, enabled INTEGER NOT NULL,
              expires_at REAL, created_at REAL NOT NULL)
            """).run()
        try await db.raw("CREATE TABLE IF NOT EXISTS access_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)").run()
        for table in ResourceLogTable.allCases {
            try await db.raw(SQLQueryString("""
                CREATE TABLE IF NOT EXISTS \(table.sqlTable) (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL,
                  identity TEXT NOT NULL, identity_type TEXT NOT NULL, caller_ip TEXT NOT NULL, user_agent TEXT NOT NULL,
                  operation TEXT NOT NULL, repository TEXT, tag TEXT, digest TEXT, size INTEGER, result TEXT NOT NULL,
                  result_description TEXT NOT NULL, correlation_id TEXT NOT NULL, login_server TEXT)
                """)).run()
            try await db.raw(SQLQueryString("CREATE INDEX IF NOT EXISTS \(table.sqlTable)_time ON \(table.sqlTable)(time)")).run()
        }
    }

    private init(writer: SQLiteConnection, reader: SQLiteConnection, threadPool: NIOThreadPool) {
        self.writer = writer
        self.reader = reader
        self.threadPool = threadPool
    }

    func close() async {
        try? await reader.close()
        try? await writer.close()
        try? await threadPool.shutdownGracefully()
    }

    // MARK: Identities

    func identities() async throws -> [StoredIdentity] {
        try await reader.sql().raw("SELECT * FROM access_identities ORDER BY name").all().map { row in
            StoredIdentity(
                name: try row.decode(column: "name", as: String.self),
                kind: IdentityKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .user,
                passwordHash: try row.decode(column: "password_hash", as: String.self),
                scopes: (try? JSONDecoder().decode(ScopeMap.self, from: Data(try row.decode(column: "scopes", as: String.self).utf8))) ?? ScopeMap([]),
                trusted: try row.decode(column: "trusted", as: Bool.self),
                enabled: try row.decode(column: "enabled", as: Bool.self),
                expiresAt: try row.decode(column: "expires_at", as: Double?.self),
                createdAt: try row.decode(column: "created_at", as: Double.self))
        }
    }

    func upsert(_ i: StoredIdentity) async throws {
        let scopes = String(decoding: try JSONEncoder().encode(i.scopes), as: UTF8.self)
        try await writer.sql().raw("""
            INSERT INTO access_identities (name, kind, password_hash, scopes, trusted, enabled, expires_at, created_at)
            VALUES (\(bind: i.name), \(bind: i.kind.rawValue), \(bind: i.passwordHash), \(bind: scopes), \(bind: i.trusted),
                    \(bind: i.enabled), \(bind: i.expiresAt), \(bind: i.createdAt))
            ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, password_hash = excluded.password_hash,
              scopes = excluded.scopes, trusted = excluded.trusted, enabled = excluded.enabled, expires_at = excluded.expires_at
            """).run()
    }

    func delete(name: String) async throws {
        try await writer.sql().raw("DELETE FROM access_identities WHERE name = \(bind: name)").run()
    }

    // MARK: Settings

    func setting(_ key: String) async throws -> String? {
        try await reader.sql().raw("SELECT value FROM access_settings WHERE key = \(bind: key)").first()
            .map { try $0.decode(column: "value", as: String.self) }
    }

    func setSetting(_ key: String, _ value: String) async throws {
        try await writer.sql().raw("""
            INSERT INTO access_settings (key, value) VALUES (\(bind: key), \(bind: value))
            ON CONFLICT(key) DO UPDATE SET value = excluded.value
            """).run()
    }

    // MARK: Resource logs

    /// Writes rows rendered by `ResourceLogRows` (per table, back-to-back JSONB arrays) in one
    /// transaction.
    func insert(_ batches: [(ResourceLogTable, [UInt8])]) async throws {
        let batches = batches.filter { !$0.1.isEmpty }
        guard !batches.isEmpty else { return }
        _ = try await writer.query("BEGIN IMMEDIATE")
        do {
            // Rows go in as one bound value per chunk, a JSONB array of rows that SQLite unpacks
            // itself: at thousands of requests per second, a statement per row — or parsing a
            // statement with thousands of placeholders — costs more CPU than the requests being
            // logged. Chunks keep each value far below SQLite's limit on a value's length
            // whatever the rows hold.
            for (table, rows) in batches {
                for chunk in try Self.chunks(of: rows) {
                    _ = try await writer.query("""
                        INSERT INTO \(table.sqlTable) (time, identity, identity_type, caller_ip, user_agent, operation,
                          repository, tag, digest, size, result, result_description, correlation_id, login_server)
                        SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7,
                          value->>8, value->>9, value->>10, value->>11, value->>12, value->>13
                        FROM jsonb_each(?)
                        """, [.blob(chunk)])
                }
            }
            _ = try await writer.query("COMMIT")
        } catch {
            _ = try? await writer.query("ROLLBACK")
            throw error
        }
    }

    /// The bytes a chunk of rows may fill before the next row starts another.
    static let chunkBytes = 4 << 20

    /// Whole rows in JSONB arrays of about `chunkBytes` each (a larger row gets one to itself).
    static func chunks(of rows: [UInt8]) throws -> [ByteBuffer] {
        try rows.withUnsafeBytes { all in
            var chunks: [ByteBuffer] = []
            var start = 0
            while start < all.count {
                var end = start
                while end < all.count, end == start || end - start < chunkBytes {
                    guard let length = ResourceLogRows.rowLength(in: all, at: end) else {
                        throw AccessError(.invalid, "resource log buffer holds a malformed row at byte \(end)")
                    }
                    end += length
                }
                // The array's header: type and a four-byte big-endian payload size.
                let size = end - start
                var chunk = ByteBuffer()
                chunk.reserveCapacity(size + 5)
                chunk.writeInteger(0xE0 | ResourceLogRows.Element.array.rawValue)
                chunk.writeInteger(UInt32(size))
                chunk.writeBytes(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                chunks.append(chunk)
                start = end
            }
            return chunks
        }
    }

    func query(_ q: ResourceLogQuery) async throws -> [ResourceLogEvent] {
        var sql = SQLQueryString("SELECT * FROM \(unsafeRaw: q.table.sqlTable) WHERE 1=1")
        if let v = q.since { sql.appendInterpolation(unsafeRaw: " AND time >= "); sql.appendInterpolation(bind: v) }
        if let v = q.until { sql.appendInterpolation(unsafeRaw: " AND time < "); sql.appendInterpolation(bind: v) }
        if let v = q.identity { sql.appendInterpolation(unsafeRaw: " AND identity = "); sql.appendInterpolation(bind: v) }
        if let v = q.repository { sql.appendInterpolation(unsafeRaw: " AND repository = "); sql.appendInterpolation(bind: v) }
        if let v = q.operation { sql.appendInterpolation(unsafeRaw: " AND operation = "); sql.appendInterpolation(bind: v); sql.appendInterpolation(unsafeRaw: " COLLATE NOCASE") }
        if let v = q.result { sql.appendInterpolation(unsafeRaw: " AND result = "); sql.appendInterpolation(bind: v) }
        if let v = q.afterID { sql.appendInterpolation(unsafeRaw: " AND id > "); sql.appendInterpolation(bind: v) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY id\(q.newestFirst ? " DESC" : "") LIMIT \(max(1, min(q.limit, 100_000)))")
        return try await reader.sql().raw(sql).all().map { row in
            var e = ResourceLogEvent(
                time: try row.decode(column: "time", as: Double.self),
                identity: try row.decode(column: "identity", as: String.self),
                identityType: try row.decode(column: "identity_type", as: String.self),
                callerIP: try row.decode(column: "caller_ip", as: String.self),
                userAgent: try row.decode(column: "user_agent", as: String.self),
                operation: try row.decode(column: "operation", as: String.self),
                repository: try row.decode(column: "repository", as: String?.self),
                tag: try row.decode(column: "tag", as: String?.self),
                digest: try row.decode(column: "digest", as: String?.self),
                size: try row.decode(column: "size", as: Int64?.self),
                result: try row.decode(column: "result", as: String.self),
                resultDescription: try row.decode(column: "result_description", as: String.self),
                correlationID: try row.decode(column: "correlation_id", as: String.self),
                loginServer: try row.decode(column: "login_server", as: String?.self))
            e.id = try row.decode(column: "id", as: Int64.self)
            return e
        }
    }

    /// Deletes rows older than `before`; returns how many went.
    func expire(before: Double) async throws -> Int {
        var removed = 0
        for table in ResourceLogTable.allCases {
            let rows = try await writer.sql().raw("DELETE FROM \(unsafeRaw: table.sqlTable) WHERE time < \(bind: before) RETURNING id").all()
            removed += rows.count
        }
        return removed
    }
}
