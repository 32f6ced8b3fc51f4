import Foundation
import Logging
import NIOCore
import NIOPosix
import OCI
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// `MetadataStore` on one SQLite file in WAL mode: one writer connection whose transactions are
/// serialised in-process by an `AsyncMutex` and across processes by `BEGIN IMMEDIATE` (with a busy
/// timeout), plus a few reader connections that never block the writer.
public final class SQLiteMetadataStore: MetadataStore {
    public static let schemaVersion = 1

    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncMutex()
    private let path: String
    private let logger: Logger
    private let generation = Atomic<UInt64>(0)
    /// Set when `watchExternalChanges` cannot run: another process's commits would then go
    /// unnoticed, so every read gets a generation of its own and no cached record is reused.
    private let unwatched = Atomic<Bool>(false)

    public static func open(path: String, readers readerCount: Int = 3, logger: Logger) async throws -> SQLiteMetadataStore {
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=15000",
                           "PRAGMA foreign_keys=OFF"] {
                try await writer.sql().raw(SQLQueryString(pragma)).run()
            }
            try await Self.migrate(writer.sql())
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let r = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await r.sql().raw("PRAGMA busy_timeout=15000").run()
                readers.append(r)
            }
            return SQLiteMetadataStore(writer: writer, readers: readers, path: path, logger: logger)
        } catch {
            try? await writer.close()
            throw error
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], path: String, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.path = path
        self.logger = logger
    }

    // MARK: Change tracking

    public var changeGeneration: UInt64 {
        if unwatched.load(ordering: .relaxed) { return generation.add(1, ordering: .acquiringAndReleasing).newValue }
        return generation.load(ordering: .acquiring)
    }

    /// Called once a write transaction has ended (committed or not): a read that started before
    /// the commit is cached under the old generation and so never outlives it.
    private func noteChange() {
        generation.add(1, ordering: .releasing)
    }

    /// Polls `PRAGMA data_version` on a connection of its own: the value changes when any other
    /// connection — this store's writer, or another process — commits to the file.
    public func watchExternalChanges(every interval: Duration) async {
        guard let watcher = try? await SQLiteConnection.open(storage: .file(path: path), logger: logger) else {
            unwatched.store(true, ordering: .relaxed)
            logger.warning("cannot watch the metadata store for changes by other processes; manifests are read from the database on every request",
                           metadata: ["path": "\(path)"])
            return
        }
        var last: Int?
        while !Task.isCancelled {
            let version = try? await watcher.sql().raw("PRAGMA data_version").first()
                .flatMap { try $0.decode(column: "data_version", as: Int.self) }
            if let version {
                if let last, last != version { noteChange() }
                last = version
            } else {
                noteChange()  // could not tell: assume something changed
            }
            try? await Task.sleep(for: interval)
        }
        // Through the future: the async `close()` gives up at once in a cancelled task (and this
        // one is), leaving the connection open.
        try? await (watcher.close() as EventLoopFuture<Void>).get()
    }

    public func close() async {
        for r in readers { try? await r.close() }
        try? await writer.close()
    }

    private var read: any SQLDatabase { readers[Int.random(in: 0..<readers.count)].sql() }

    private static func migrate(_ db: any SQLDatabase) async throws {
        try await db.raw("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)").run()
        let current = try await db.raw("SELECT MAX(version) AS v FROM schema_version").first()
            .flatMap { try $0.decode(column: "v", as: Int?.self) } ?? 0
        guard current < schemaVersion else {
            if current > schemaVersion {
                throw StorageError(.corrupt, "metadata schema version \(current) is newer than this drydock understands (\(schemaVersion)); upgrade drydock")
            }
            return
        }
        let statements = [
            "CREATE TABLE blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at REAL NOT NULL)",
            "CREATE TABLE repositories (name TEXT PRIMARY KEY, created_at REAL NOT NULL)",
            """
            CREATE TABLE repository_blobs (repository TEXT NOT NULL, digest TEXT NOT NULL, created_at REAL NOT NULL,
                PRIMARY KEY (repository, digest))
            """,
            "CREATE INDEX repository_blobs_digest ON repository_blobs (digest)",
            """
            CREATE TABLE manifests (repository TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL,
                size INTEGER NOT NULL, artifact_type TEXT, subject TEXT, annotations TEXT,
                created_at REAL NOT NULL, last_pulled_at REAL, PRIMARY KEY (repository, digest))
            """,
            "CREATE INDEX manifests_subject ON manifests (repository, subject)",
            "CREATE INDEX manifests_digest ON manifests (digest)",
            """
            CREATE TABLE manifest_references (repository TEXT NOT NULL, manifest TEXT NOT NULL, child TEXT NOT NULL,
                kind TEXT NOT NULL, PRIMARY KEY (repository, manifest, kind, child))
            """,
            "CREATE INDEX manifest_references_child ON manifest_references (repository, child)",
            """
            CREATE TABLE tags (repository TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
                updated_at REAL NOT NULL, last_pulled_at REAL, PRIMARY KEY (repository, tag))
            """,
            "CREATE INDEX tags_digest ON tags (repository, digest)",
            """
            CREATE TABLE uploads (id TEXT PRIMARY KEY, repository TEXT NOT NULL, started_at REAL NOT NULL,
                updated_at REAL NOT NULL)
            """,
        ]
        try await db.raw("BEGIN IMMEDIATE").run()
        do {
            for s in statements { try await db.raw(SQLQueryString(s)).run() }
            try await db.raw("INSERT INTO schema_version (version) VALUES (\(bind: schemaVersion))").run()
            try await db.raw("COMMIT").run()
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// One write transaction; `body` runs with the write lock held.
    private func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = writer.sql()
        return try await writeLock.withLock {
            defer { noteChange() }
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let value = try await body(db)
                try await db.raw("COMMIT").run()
                return value
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func removeIfUnrecorded(_ digest: Digest, remove: @escaping @Sendable () throws -> Void) async throws -> Bool {
        try await write { db in
            guard try await db.raw("SELECT 1 AS x FROM blobs WHERE digest = \(bind: digest.description)").first() == nil else { return false }
            try remove()
            return true
        }
    }

    private static var now: Double { Date().timeIntervalSince1970 }

    // MARK: Blobs

    public func blobSize(_ digest: Digest) async throws -> Int64? {
        try await read.raw("SELECT size FROM blobs WHERE digest = \(bind: digest.description)").first()
            .map { try $0.decode(column: "size", as: Int64.self) }
    }

    public func linkedBlobSize(repository: String, digest: Digest) async throws -> Int64? {
        try await read.raw("""
            SELECT b.size AS size FROM repository_blobs l JOIN blobs b ON b.digest = l.digest
            WHERE l.repository = \(bind: repository) AND l.digest = \(bind: digest.description)
            """).first().map { try $0.decode(column: "size", as: Int64.self) }
    }

    public func commitBlob(repository: String, digest: Digest, size: Int64, uploadID: String?,
                           place: @escaping @Sendable (Bool) throws -> Void) async throws {
        try await write { db in
            let existing = try await db.raw("SELECT size FROM blobs WHERE digest = \(bind: digest.description)").first()
            try place(existing != nil)
            let now = Self.now
            if existing == nil {
                try await db.raw("INSERT INTO blobs (digest, size, created_at) VALUES (\(bind: digest.description), \(bind: size), \(bind: now))").run()
            }
            try await Self.ensureRepository(db, repository, now)
            try await db.raw("""
                INSERT INTO repository_blobs (repository, digest, created_at) VALUES (\(bind: repository), \(bind: digest.description), \(bind: now))
                ON CONFLICT (repository, digest) DO UPDATE SET created_at = excluded.created_at
                """).run()
            if let uploadID {
                try await db.raw("DELETE FROM uploads WHERE id = \(bind: uploadID)").run()
            }
        }
    }

    private static func ensureRepository(_ db: any SQLDatabase, _ name: String, _ now: Double) async throws {
        try await db.raw("INSERT OR IGNORE INTO repositories (name, created_at) VALUES (\(bind: name), \(bind: now))").run()
    }

    public func mountBlob(repository: String, digest: Digest, from: String?) async throws -> Bool {
        try await write { db in
            // Without `from` there is no repository whose copy the caller may read, so knowing a
            // digest must not be enough: the spec lets the registry answer with a session instead.
            guard let from else { return false }
            let source = try await db.raw("""
                SELECT l.digest FROM repository_blobs l JOIN blobs b ON b.digest = l.digest
                WHERE l.repository = \(bind: from) AND l.digest = \(bind: digest.description)
                """).first()
            guard source != nil else { return false }
            let now = Self.now
            try await Self.ensureRepository(db, repository, now)
            try await db.raw("""
                INSERT INTO repository_blobs (repository, digest, created_at) VALUES (\(bind: repository), \(bind: digest.description), \(bind: now))
                ON CONFLICT (repository, digest) DO UPDATE SET created_at = excluded.created_at
                """).run()
            return true
        }
    }

    public func unlinkBlob(repository: String, digest: Digest) async throws -> Bool {
        try await write { db in
            let found = try await db.raw("SELECT digest FROM repository_blobs WHERE repository = \(bind: repository) AND digest = \(bind: digest.description)").first()
            guard found != nil else { return false }
            try await db.raw("DELETE FROM repository_blobs WHERE repository = \(bind: repository) AND digest = \(bind: digest.description)").run()
            return true
        }
    }

    // MARK: Uploads

    public func createUpload(id: String, repository: String) async throws {
        try await write { db in
            let now = Self.now
            try await db.raw("INSERT INTO uploads (id, repository, started_at, updated_at) VALUES (\(bind: id), \(bind: repository), \(bind: now), \(bind: now))").run()
        }
    }

    public func upload(id: String) async throws -> UploadRecord? {
        try await read.raw("SELECT id, repository, started_at, updated_at FROM uploads WHERE id = \(bind: id)").first()
            .map(Self.uploadRecord)
    }

    public func touchUpload(id: String) async throws {
        try await write { db in
            try await db.raw("UPDATE uploads SET updated_at = \(bind: Self.now) WHERE id = \(bind: id)").run()
        }
    }

    public func deleteUpload(id: String) async throws {
        try await write { db in try await db.raw("DELETE FROM uploads WHERE id = \(bind: id)").run() }
    }

    public func uploads(updatedBefore: Double) async throws -> [UploadRecord] {
        try await read.raw("SELECT id, repository, started_at, updated_at FROM uploads WHERE updated_at < \(bind: updatedBefore)")
            .all().map(Self.uploadRecord)
    }

    private static func uploadRecord(_ row: any SQLRow) throws -> UploadRecord {
        UploadRecord(id: try row.decode(column: "id", as: String.self),
                     repository: try row.decode(column: "repository", as: String.self),
                     startedAt: try row.decode(column: "started_at", as: Double.self),
                     updatedAt: try row.decode(column: "updated_at", as: Double.self))
    }

    // MARK: Manifests and tags

    public func putManifest(_ record: ManifestRecord, references: [ManifestReferenceRecord], tags: [String],
                            place: @escaping @Sendable (Bool) throws -> Void) async throws {
        try await write { db in
            let repo = record.repository
            for reference in references {
                switch reference.kind {
                case .blob:
                    let linked = try await db.raw("SELECT 1 AS x FROM repository_blobs WHERE repository = \(bind: repo) AND digest = \(bind: reference.child.description)").first()
                    guard linked != nil else {
                        throw StorageError(.manifestBlobUnknown, "blob \(reference.child) is not in repository \(repo); push it first")
                    }
                case .manifest:
                    let known = try await db.raw("SELECT 1 AS x FROM manifests WHERE repository = \(bind: repo) AND digest = \(bind: reference.child.description)").first()
                    guard known != nil else {
                        throw StorageError(.manifestBlobUnknown, "manifest \(reference.child) referenced by the index is not in repository \(repo); push it first")
                    }
                }
            }
            let digest = record.digest.description
            let stored = try await db.raw("SELECT size FROM blobs WHERE digest = \(bind: digest)").first()
            try place(stored != nil)
            let now = Self.now
            if stored == nil {
                try await db.raw("INSERT INTO blobs (digest, size, created_at) VALUES (\(bind: digest), \(bind: record.size), \(bind: now))").run()
            }
            try await Self.ensureRepository(db, repo, now)
            let annotations = record.annotations.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
            try await db.raw("""
                INSERT INTO manifests (repository, digest, media_type, size, artifact_type, subject, annotations, created_at)
                VALUES (\(bind: repo), \(bind: digest), \(bind: record.mediaType), \(bind: record.size),
                        \(bind: record.artifactType), \(bind: record.subject?.description), \(bind: annotations), \(bind: now))
                ON CONFLICT (repository, digest) DO UPDATE SET created_at = excluded.created_at
                """).run()
            for reference in references {
                try await db.raw("""
                    INSERT OR IGNORE INTO manifest_references (repository, manifest, child, kind)
                    VALUES (\(bind: repo), \(bind: digest), \(bind: reference.child.description), \(bind: reference.kind.rawValue))
                    """).run()
            }
            for tag in tags {
                try await db.raw("""
                    INSERT INTO tags (repository, tag, digest, updated_at) VALUES (\(bind: repo), \(bind: tag), \(bind: digest), \(bind: now))
                    ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                    """).run()
            }
        }
    }

    private static let manifestColumns = manifestColumns("")
    private static let taggedManifestColumns = manifestColumns("m.")

    /// The manifest columns, each qualified with `table` (e.g. "m.") for joins.
    private static func manifestColumns(_ table: String) -> String {
        ["repository", "digest", "media_type", "size", "artifact_type", "subject", "annotations", "created_at", "last_pulled_at"]
            .map { table.isEmpty ? $0 : "\(table)\($0) AS \($0)" }.joined(separator: ", ")
    }

    private static func manifestRecord(_ row: any SQLRow) throws -> ManifestRecord {
        let annotations = try row.decode(column: "annotations", as: String?.self)
            .flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
        return ManifestRecord(
            repository: try row.decode(column: "repository", as: String.self),
            digest: try Digest(try row.decode(column: "digest", as: String.self)),
            mediaType: try row.decode(column: "media_type", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            artifactType: try row.decode(column: "artifact_type", as: String?.self),
            subject: try row.decode(column: "subject", as: String?.self).flatMap { try? Digest($0) },
            annotations: annotations,
            createdAt: try row.decode(column: "created_at", as: Double.self),
            lastPulledAt: try row.decode(column: "last_pulled_at", as: Double?.self))
    }

    public func manifest(repository: String, digest: Digest) async throws -> ManifestRecord? {
        try await read.raw("SELECT \(unsafeRaw: Self.manifestColumns) FROM manifests WHERE repository = \(bind: repository) AND digest = \(bind: digest.description)")
            .first().map(Self.manifestRecord)
    }

    public func tag(repository: String, tag: String) async throws -> TagRecord? {
        try await read.raw("SELECT repository, tag, digest, updated_at, last_pulled_at FROM tags WHERE repository = \(bind: repository) AND tag = \(bind: tag)")
            .first().map(Self.tagRecord)
    }

    public func taggedManifest(repository: String, tag: String) async throws -> ManifestRecord? {
        try await read.raw("""
            SELECT \(unsafeRaw: Self.taggedManifestColumns) FROM tags t
            JOIN manifests m ON m.repository = t.repository AND m.digest = t.digest
            WHERE t.repository = \(bind: repository) AND t.tag = \(bind: tag)
            """).first().map(Self.manifestRecord)
    }

    private static func tagRecord(_ row: any SQLRow) throws -> TagRecord {
        TagRecord(repository: try row.decode(column: "repository", as: String.self),
                  tag: try row.decode(column: "tag", as: String.self),
                  digest: try Digest(try row.decode(column: "digest", as: String.self)),
                  updatedAt: try row.decode(column: "updated_at", as: Double.self),
                  lastPulledAt: try row.decode(column: "last_pulled_at", as: Double?.self))
    }

    public func deleteManifest(repository: String, digest: Digest) async throws -> Bool {
        try await write { db in
            let d = digest.description
            let found = try await db.raw("SELECT 1 AS x FROM manifests WHERE repository = \(bind: repository) AND digest = \(bind: d)").first()
            guard found != nil else { return false }
            try await db.raw("DELETE FROM manifests WHERE repository = \(bind: repository) AND digest = \(bind: d)").run()
            try await db.raw("DELETE FROM manifest_references WHERE repository = \(bind: repository) AND manifest = \(bind: d)").run()
            try await db.raw("DELETE FROM tags WHERE repository = \(bind: repository) AND digest = \(bind: d)").run()
            return true
        }
    }

    public func deleteTag(repository: String, tag: String) async throws -> Bool {
        try await write { db in
            let found = try await db.raw("SELECT 1 AS x FROM tags WHERE repository = \(bind: repository) AND tag = \(bind: tag)").first()
            guard found != nil else { return false }
            try await db.raw("DELETE FROM tags WHERE repository = \(bind: repository) AND tag = \(bind: tag)").run()
            return true
        }
    }

    public func tags(repository: String, after: String?, limit: Int) async throws -> [String] {
        try await read.raw("""
            SELECT tag FROM tags WHERE repository = \(bind: repository) AND tag > \(bind: after ?? "")
            ORDER BY tag LIMIT \(bind: limit)
            """).all().map { try $0.decode(column: "tag", as: String.self) }
    }

    public func repositoryExists(_ name: String) async throws -> Bool {
        try await read.raw("SELECT 1 AS x FROM repositories WHERE name = \(bind: name)").first() != nil
    }

    public func repositories(after: String?, limit: Int) async throws -> [String] {
        try await read.raw("SELECT name FROM repositories WHERE name > \(bind: after ?? "") ORDER BY name LIMIT \(bind: limit)")
            .all().map { try $0.decode(column: "name", as: String.self) }
    }

    public func referrers(repository: String, subject: Digest) async throws -> [ManifestRecord] {
        try await read.raw("""
            SELECT \(unsafeRaw: Self.manifestColumns) FROM manifests
            WHERE repository = \(bind: repository) AND subject = \(bind: subject.description) ORDER BY digest
            """).all().map(Self.manifestRecord)
    }

    public func recordPulls(_ pulls: [PullRecord]) async throws {
        guard !pulls.isEmpty else { return }
        try await write { db in
            for pull in pulls {
                try await db.raw("""
                    UPDATE manifests SET last_pulled_at = MAX(COALESCE(last_pulled_at, 0), \(bind: pull.time))
                    WHERE repository = \(bind: pull.repository) AND digest = \(bind: pull.digest.description)
                    """).run()
                if let tag = pull.tag {
                    try await db.raw("""
                        UPDATE tags SET last_pulled_at = MAX(COALESCE(last_pulled_at, 0), \(bind: pull.time))
                        WHERE repository = \(bind: pull.repository) AND tag = \(bind: tag)
                        """).run()
                }
            }
        }
    }

    // MARK: Whole-store walks

    public func allBlobs() async throws -> [(digest: Digest, size: Int64, createdAt: Double)] {
        try await read.raw("SELECT digest, size, created_at FROM blobs ORDER BY digest").all().map {
            (try Digest(try $0.decode(column: "digest", as: String.self)),
             try $0.decode(column: "size", as: Int64.self),
             try $0.decode(column: "created_at", as: Double.self))
        }
    }

    public func allManifests() async throws -> [ManifestRecord] {
        try await read.raw("SELECT \(unsafeRaw: Self.manifestColumns) FROM manifests ORDER BY repository, digest").all().map(Self.manifestRecord)
    }

    public func allTags() async throws -> [TagRecord] {
        try await read.raw("SELECT repository, tag, digest, updated_at, last_pulled_at FROM tags ORDER BY repository, tag").all().map(Self.tagRecord)
    }

    public func references(repository: String, manifest: Digest) async throws -> [ManifestReferenceRecord] {
        try await read.raw("SELECT child, kind FROM manifest_references WHERE repository = \(bind: repository) AND manifest = \(bind: manifest.description)")
            .all().compactMap { row in
                guard let kind = ManifestReferenceRecord.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
                return ManifestReferenceRecord(child: try Digest(try row.decode(column: "child", as: String.self)), kind: kind)
            }
    }

    public func blobLinks() async throws -> [(repository: String, digest: Digest, createdAt: Double)] {
        try await read.raw("SELECT repository, digest, created_at FROM repository_blobs").all().map {
            (try $0.decode(column: "repository", as: String.self),
             try Digest(try $0.decode(column: "digest", as: String.self)),
             try $0.decode(column: "created_at", as: Double.self))
        }
    }

    // MARK: Garbage collection

    private static func pairs(_ rows: [any SQLRow]) throws -> [(repository: String, digest: Digest)] {
        try rows.map { (try $0.decode(column: "repository", as: String.self), try Digest(try $0.decode(column: "digest", as: String.self))) }
    }

    public func unlinkUnreferencedBlobs(olderThan: Double, apply: Bool) async throws -> [(repository: String, digest: Digest)] {
        // A link no manifest of its repository uses is an abandoned push (or a deleted image's layer).
        let select: SQLQueryString = """
            SELECT l.repository AS repository, l.digest AS digest FROM repository_blobs l
            WHERE l.created_at < \(bind: olderThan)
              AND NOT EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m
                              ON m.repository = r.repository AND m.digest = r.manifest
                              WHERE r.repository = l.repository AND r.child = l.digest AND r.kind = 'blob')
            """
        guard apply else { return try Self.pairs(try await read.raw(select).all()) }
        return try await write { db in
            let rows = try Self.pairs(try await db.raw(select).all())
            for (repo, digest) in rows {
                try await db.raw("DELETE FROM repository_blobs WHERE repository = \(bind: repo) AND digest = \(bind: digest.description)").run()
            }
            return rows
        }
    }

    public func deleteUntaggedManifests(olderThan: Double, apply: Bool) async throws -> [(repository: String, digest: Digest)] {
        // Untagged, not a child of an index in the same repository, and not a referrer whose subject
        // still exists (signatures and SBOMs live as untagged referrers).
        let select: SQLQueryString = """
            SELECT m.repository AS repository, m.digest AS digest FROM manifests m
            WHERE m.created_at < \(bind: olderThan)
              AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository = m.repository AND t.digest = m.digest)
              AND NOT EXISTS (SELECT 1 FROM manifest_references r JOIN manifests p
                              ON p.repository = r.repository AND p.digest = r.manifest
                              WHERE r.repository = m.repository AND r.child = m.digest AND r.kind = 'manifest')
              AND (m.subject IS NULL OR NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repository = m.repository AND s.digest = m.subject))
            """
        guard apply else { return try Self.pairs(try await read.raw(select).all()) }
        return try await write { db in
            let rows = try Self.pairs(try await db.raw(select).all())
            for (repo, digest) in rows {
                try await db.raw("DELETE FROM manifests WHERE repository = \(bind: repo) AND digest = \(bind: digest.description)").run()
                try await db.raw("DELETE FROM manifest_references WHERE repository = \(bind: repo) AND manifest = \(bind: digest.description)").run()
            }
            return rows
        }
    }

    private static let unreferencedBlobCondition = """
        NOT EXISTS (SELECT 1 FROM repository_blobs l WHERE l.digest = b.digest)
        AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.digest = b.digest)
        """

    // Not optimised: the 6.3 optimiser crashes (signal 11, "while splitting coroutine") on this
    // function in release builds; it runs once per gc, so speed does not matter here.
    @_optimize(none)
    public func unreferencedBlobs(olderThan: Double) async throws -> [Digest] {
        let rows = try await read.raw("SELECT b.digest AS digest FROM blobs b WHERE b.created_at < \(bind: olderThan) AND \(unsafeRaw: Self.unreferencedBlobCondition)").all()
        return try rows.map(Self.digestColumn)
    }

    private static func digestColumn(_ row: any SQLRow) throws -> Digest {
        try Digest(try row.decode(column: "digest", as: String.self))
    }

    public func deleteUnreferencedBlob(_ digest: Digest, olderThan: Double,
                                       remove: @escaping @Sendable () throws -> Void) async throws -> Bool {
        try await write { db in
            // Re-checked inside the transaction: a push may have linked it since the listing.
            let still = try await db.raw("""
                SELECT b.digest FROM blobs b WHERE b.digest = \(bind: digest.description) AND b.created_at < \(bind: olderThan)
                AND \(unsafeRaw: Self.unreferencedBlobCondition)
                """).first()
            guard still != nil else { return false }
            try await db.raw("DELETE FROM blobs WHERE digest = \(bind: digest.description)").run()
            try remove()
            return true
        }
    }
}
