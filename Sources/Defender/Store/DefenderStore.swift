import Foundation
import Logging
import Matching
import NIOCore
import NIOPosix
import SQLiteNIO

/// The defender's tables: subscriptions and their registries, the images it knows with their
/// tags and tag history, the durable scan queue, inventories per manifest digest, and findings
/// per image. They live in `DATA/defender.sqlite`, beside the registry's metadata.sqlite rather
/// than in it: scanning writes far more than the registry does (findings, inventories), and in
/// the registry's file every such commit would take the registry's write lock and empty its
/// manifest cache (which treats any commit to the file as a possible change).
///
/// One writer connection serialises writes (this actor); reads use a second connection.
public actor DefenderStore {
    let writer: SQLiteConnection
    let reader: SQLiteConnection
    private let threadPool: NIOThreadPool
    public let path: String
    /// Decoded finding bodies by hash (`findings(imageID:now:)`), at most `decodedBodyLimit`.
    var decodedBodies: [String: Finding] = [:]
    static let decodedBodyLimit = 20_000
    /// The webhooks in force, read once until they change.
    var webhookCache: [Webhook]?
    /// Seals the secrets kept in text columns (`DefenderStore+Secrets`), once the defender has a key.
    var secretBox: SecretBox?
    /// Counts every committed write: what the read caches below are valid for. Only this
    /// process writes the file (the registry's own tables live elsewhere).
    var generation = 0
    var listedCache: (generation: Int, images: [ImageRecord])?
    var tagsCache: (generation: Int, tags: [String: [String]])?
    var countsCache: (generation: Int, now: Double, validUntil: Double, counts: [Int: [String: [String: Int]]])?
    private var writerBusy = false
    private var writerWaiters: [CheckedContinuation<Void, Never>] = []

    public static func open(path: String, logger: Logger) async throws -> DefenderStore {
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
        return DefenderStore(writer: opened[0], reader: opened[1], threadPool: threadPool, path: path)
    }

    private init(writer: SQLiteConnection, reader: SQLiteConnection, threadPool: NIOThreadPool, path: String) {
        self.writer = writer
        self.reader = reader
        self.threadPool = threadPool
        self.path = path
    }

    public func close() async {
        try? await writer.close()
        try? await reader.close()
        try? await threadPool.shutdownGracefully()
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS defender_subscriptions (name TEXT PRIMARY KEY, enabled INTEGER NOT NULL,
          changed_at REAL NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS defender_registries (name TEXT PRIMARY KEY, subscription TEXT NOT NULL,
          kind TEXT NOT NULL, include_patterns TEXT NOT NULL DEFAULT '[]', exclude_patterns TEXT NOT NULL DEFAULT '[]')
        """,
        // One row per (registry, repository, manifest digest) the defender has heard of. `part_of`
        // names the index an image manifest belongs to (scanned with it, not listed alone).
        """
        CREATE TABLE IF NOT EXISTS defender_images (id INTEGER PRIMARY KEY, registry TEXT NOT NULL,
          repository TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT, children TEXT, part_of TEXT,
          pushed_at REAL NOT NULL, last_pulled_at REAL, trigger TEXT NOT NULL, status TEXT NOT NULL,
          status_message TEXT, scanned_at REAL, evaluated_at REAL, database_built_at REAL, inventories TEXT,
          analyzers TEXT, keys_indexed INTEGER NOT NULL DEFAULT 0, remediations BLOB, warnings BLOB, deleted_at REAL,
          UNIQUE (registry, repository, digest))
        """,
        "CREATE INDEX IF NOT EXISTS defender_images_status ON defender_images (status)",
        """
        CREATE TABLE IF NOT EXISTS defender_tags (registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
          digest TEXT NOT NULL, since REAL NOT NULL, PRIMARY KEY (registry, repository, tag))
        """,
        "CREATE INDEX IF NOT EXISTS defender_tags_digest ON defender_tags (registry, repository, digest)",
        """
        CREATE TABLE IF NOT EXISTS defender_tag_history (registry TEXT NOT NULL, repository TEXT NOT NULL,
          tag TEXT NOT NULL, digest TEXT NOT NULL, since REAL NOT NULL, until REAL)
        """,
        "CREATE INDEX IF NOT EXISTS defender_tag_history_tag ON defender_tag_history (registry, repository, tag)",
        // The durable queue: one job per image. A running job holds a lease; a crashed worker's
        // lease runs out (and a restarted server takes back every lease of its own store).
        """
        CREATE TABLE IF NOT EXISTS defender_jobs (image_id INTEGER PRIMARY KEY, state TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT NULL, lease_until REAL, lease_token TEXT,
          enqueued_at REAL NOT NULL, trigger TEXT NOT NULL, last_error TEXT)
        """,
        "CREATE INDEX IF NOT EXISTS defender_jobs_due ON defender_jobs (state, not_before)",
        "CREATE TABLE IF NOT EXISTS defender_inventories (digest TEXT PRIMARY KEY, body BLOB NOT NULL, created_at REAL NOT NULL)",
        // `key` identifies a finding across scans and digests: vulnerability, ecosystem, package
        // name and location (not the version: an upgrade that is still vulnerable is the same finding).
        """
        CREATE TABLE IF NOT EXISTS defender_findings (image_id INTEGER NOT NULL, key TEXT NOT NULL,
          vulnerability_id TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL, first_seen REAL NOT NULL,
          last_seen REAL NOT NULL, resolved_at REAL, resolved_by TEXT, body_hash TEXT NOT NULL, exemption_id INTEGER,
          PRIMARY KEY (image_id, key))
        """,
        // A finding's JSON once however many images have it (the same package in the same base
        // layer matches the same way everywhere): re-matching thousands of images then writes
        // small rows instead of rewriting a kilobyte per finding per image.
        "CREATE TABLE IF NOT EXISTS defender_finding_bodies (hash TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID",
        // Vulnerability IDs and aliases of open findings: `findings affected` is one index lookup.
        """
        CREATE TABLE IF NOT EXISTS defender_finding_ids (id TEXT NOT NULL, image_id INTEGER NOT NULL,
          PRIMARY KEY (id, image_id)) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS defender_finding_ids_image ON defender_finding_ids (image_id)",
"CREATE TABLE IF NOT EXISTS defender_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        // The advisory keys (`namespace|package`) of each image's packages: after a database
        // update only images with a package under a changed key are matched again.
        """
        CREATE TABLE IF NOT EXISTS defender_image_keys (key TEXT NOT NULL, image_id INTEGER NOT NULL,
          PRIMARY KEY (key, image_id)) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS defender_image_keys_image ON defender_image_keys (image_id)",
        // Accepted risks. Rows are never deleted: a removed exemption keeps who removed it and when.
        """
        CREATE TABLE IF NOT EXISTS defender_exemptions (id INTEGER PRIMARY KEY, vulnerability TEXT, package TEXT, purl TEXT,
          repository TEXT, max_severity TEXT, justification TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL,
          expires_at REAL, removed_at REAL, removed_by TEXT, source TEXT NOT NULL DEFAULT 'manual')
        """,
        // Billing: each image digest matched in a period counts once per subscription (the first
        // registry to scan it gets the row). Written in the evaluation's own transaction.
        """
        CREATE TABLE IF NOT EXISTS defender_usage (subscription TEXT NOT NULL, period TEXT NOT NULL, digest TEXT NOT NULL,
          registry TEXT NOT NULL, first_at REAL NOT NULL, PRIMARY KEY (subscription, period, digest)) WITHOUT ROWID
        """,
    ]

    /// Summaries kept up to date by triggers on `defender_findings`, so that the counts per image
    /// and the 30-day trend are read from a few thousand rows rather than aggregated from
    /// millions: findings per image, state, severity and covering exemption
    /// (`defender_counts`; the exemption decides at read time whether they count as exempted),
    /// and findings first seen and resolved per day (`defender_trend`, day = seconds / 86400).
    /// Created, and filled from the findings already stored, the first time a store opens.
    static let summaries = [
        """
        CREATE TABLE defender_counts (image_id INTEGER NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL,
          exemption_id INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (image_id, state, severity, exemption_id)) WITHOUT ROWID
        """,
        "CREATE TABLE defender_trend (day INTEGER PRIMARY KEY, opened INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT 0)",
        """
        INSERT INTO defender_counts (image_id, state, severity, exemption_id, n)
        SELECT image_id, state, severity, coalesce(exemption_id, 0), count(*) FROM defender_findings GROUP BY 1, 2, 3, 4
        """,
        """
        INSERT INTO defender_trend (day, opened, resolved)
        SELECT day, sum(opened), sum(resolved) FROM (
          SELECT CAST(first_seen / 86400 AS INTEGER) AS day, 1 AS opened, 0 AS resolved FROM defender_findings
          UNION ALL SELECT CAST(resolved_at / 86400 AS INTEGER), 0, 1 FROM defender_findings WHERE state = 'resolved' AND resolved_at IS NOT NULL)
        GROUP BY day
        """,
        """
        CREATE TRIGGER defender_findings_inserted AFTER INSERT ON defender_findings BEGIN
          INSERT INTO defender_counts (image_id, state, severity, exemption_id, n)
            VALUES (NEW.image_id, NEW.state, NEW.severity, coalesce(NEW.exemption_id, 0), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
          INSERT INTO defender_trend (day, opened) VALUES (CAST(NEW.first_seen / 86400 AS INTEGER), 1)
            ON CONFLICT DO UPDATE SET opened = opened + 1;
        END
        """,
        """
        CREATE TRIGGER defender_findings_changed AFTER UPDATE OF state, severity, exemption_id ON defender_findings
        WHEN OLD.state IS NOT NEW.state OR OLD.severity IS NOT NEW.severity OR OLD.exemption_id IS NOT NEW.exemption_id BEGIN
          UPDATE defender_counts SET n = n - 1 WHERE image_id = OLD.image_id AND state = OLD.state AND severity = OLD.severity
            AND exemption_id = coalesce(OLD.exemption_id, 0);
          INSERT INTO defender_counts (image_id, state, severity, exemption_id, n)
            VALUES (NEW.image_id, NEW.state, NEW.severity, coalesce(NEW.exemption_id, 0), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        END
        """,
        """
        CREATE TRIGGER defender_findings_resolved AFTER UPDATE OF state ON defender_findings
        WHEN NEW.state = 'resolved' AND OLD.state != 'resolved' AND NEW.resolved_at IS NOT NULL BEGIN
          INSERT INTO defender_trend (day, resolved) VALUES (CAST(NEW.resolved_at / 86400 AS INTEGER), 1)
            ON CONFLICT DO UPDATE SET resolved = resolved + 1;
        END
        """,
        """
        CREATE TRIGGER defender_findings_reopened AFTER UPDATE OF state ON defender_findings
        WHEN OLD.state = 'resolved' AND NEW.state != 'resolved' AND OLD.resolved_at IS NOT NULL BEGIN
          UPDATE defender_trend SET resolved = resolved - 1 WHERE day = CAST(OLD.resolved_at / 86400 AS INTEGER);
        END
        """,
        """
        CREATE TRIGGER defender_findings_removed AFTER DELETE ON defender_findings BEGIN
          UPDATE defender_counts SET n = n - 1 WHERE image_id = OLD.image_id AND state = OLD.state AND severity = OLD.severity
            AND exemption_id = coalesce(OLD.exemption_id, 0);
        END
        """,
    ]

    /// Columns added after a table was first created: (table, column, definition).
    static let addedColumns = [
        ("defender_findings", "exemption_id", "INTEGER"),
    ] + registryColumns

    private static func migrate(writer: SQLiteConnection, reader: SQLiteConnection) async throws {
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=15000"] {
            _ = try await writer.query(pragma)
        }
        _ = try await reader.query("PRAGMA busy_timeout=15000")
        for statement in schema + webhookSchema + adapterSchema + scannerSchema { _ = try await writer.query(statement) }
        for (table, column, definition) in addedColumns {
            let columns = try await writer.query("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0.string("name") }
            if !columns.contains(column) {
                _ = try await writer.query("ALTER TABLE \(table) ADD COLUMN \(column) \(definition)")
            }
        }
        let hasSummaries = try await !writer.query("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'defender_counts'").isEmpty
        if !hasSummaries {
            _ = try await writer.query("BEGIN IMMEDIATE")
            do {
                for statement in summaries { _ = try await writer.query(statement) }
                _ = try await writer.query("COMMIT")
            } catch {
                _ = try? await writer.query("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` inside one `BEGIN IMMEDIATE` transaction on the writer. Every write goes
    /// through here: an actor is re-entered at each `await`, so without the writer lock a second
    /// call could start its statements inside the first one's open transaction.
    func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquireWriter()
        defer { releaseWriter() }
        _ = try await writer.query("BEGIN IMMEDIATE")
        do {
            let value = try await body()
            _ = try await writer.query("COMMIT")
            generation += 1
            return value
        } catch {
            _ = try? await writer.query("ROLLBACK")
            throw error
        }
    }

    /// One statement as its own transaction.
    @discardableResult
    func write(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await transaction { try await writer.query(sql, binds) }
    }

    private func acquireWriter() async {
        guard writerBusy else {
            writerBusy = true
            return
        }
        await withCheckedContinuation { writerWaiters.append($0) }
    }

    private func releaseWriter() {
        if writerWaiters.isEmpty {
            writerBusy = false
        } else {
            writerWaiters.removeFirst().resume()  // the lock passes straight to the next waiter
        }
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? {
        try await reader.query("SELECT value FROM defender_settings WHERE key = ?", [.text(key)]).first?.column("value")?.string
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        try await write("INSERT INTO defender_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [.text(key), .text(value)])
    }
}

extension SQLiteData {
    static func optional(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
    static func optional(_ value: Double?) -> SQLiteData { value.map { .float($0) } ?? .null }
    static func json<T: Encodable>(_ value: T) -> SQLiteData {
        let data = (try? JSONEncoder().encode(value)) ?? Data("null".utf8)
        return .blob(ByteBuffer(bytes: data))
    }
}

extension SQLiteRow {
    func string(_ name: String) -> String? { column(name)?.string }
    func double(_ name: String) -> Double? { column(name).flatMap { $0.isNull ? nil : $0.double } }
    func int(_ name: String) -> Int? { column(name)?.integer }
    func data(_ name: String) -> Data? {
        switch column(name) {
        case .blob(let buffer): return Data(buffer: buffer)
        case .text(let text): return Data(text.utf8)
        default: return nil
        }
    }
    /// A JSON array of plain strings (digests), read without a JSONDecoder when it has no
    /// escapes: listing ten thousand images decodes two such arrays each.
    func stringArray(_ name: String) -> [String] {
        guard let data = data(name), !data.isEmpty else { return [] }
        guard !data.contains(UInt8(ascii: "\\")) else { return (try? JSONDecoder().decode([String].self, from: data)) ?? [] }
        var out: [String] = []
        var start: Int?
        for (index, byte) in data.enumerated() where byte == UInt8(ascii: "\"") {
            if let open = start {
                out.append(String(decoding: data[data.startIndex + open + 1 ..< data.startIndex + index], as: UTF8.self))
                start = nil
            } else {
                start = index
            }
        }
        return out
    }

    func decode<T: Decodable>(_ name: String, as type: T.Type) -> T? {
        data(name).flatMap { try? JSONDecoder().decode(T.self, from: $0) }
    }
}
