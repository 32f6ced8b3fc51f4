import Foundation
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO

/// A built vulnerability database: one SQLite file. Advisories are stored as JSON documents keyed
/// for the only lookups matching needs — (namespace, package) for affected ranges, id and alias for
/// the vulnerability record — so the schema stays small and a newer drydock can add fields to the
/// documents without a migration.
public final class VulnDatabase: Sendable {
    /// Bumped when the table layout or the meaning of a document field changes.
    public static let schemaVersion = 1

    private let connections: [SQLiteConnection]
    public let path: String

    /// Opens an existing database for reading; refuses files of another schema version.
    public static func open(path: String, connections count: Int = 2, logger: Logger = Logger(label: "drydock.vulndb")) async throws -> VulnDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VulnDBError("no vulnerability database at \(path); run `drydock db build` or `drydock db pull`")
        }
        var connections: [SQLiteConnection] = []
        do {
            for _ in 0..<max(1, count) {
                let c = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                // The file may come from a registry: read it as untrusted.
                for pragma in ["PRAGMA query_only=ON", "PRAGMA trusted_schema=OFF", "PRAGMA cell_size_check=ON"] {
                    try await c.sql().raw(SQLQueryString(pragma)).run()
                }
                connections.append(c)
            }
            let db = VulnDatabase(connections: connections, path: path)
            let version = try await db.metadata("schema_version").flatMap(Int.init)
            guard version == schemaVersion else {
                throw VulnDBError("\(path) has schema version \(version.map(String.init) ?? "none"), this drydock reads \(schemaVersion); rebuild or pull a current database")
            }
            return db
        } catch {
            for c in connections { try? await c.close() }
            if error is VulnDBError { throw error }
            throw VulnDBError("\(path) is not a readable vulnerability database: \(error)")
        }
    }

    private init(connections: [SQLiteConnection], path: String) {
        self.connections = connections
        self.path = path
    }

    public func close() async {
        for c in connections { try? await c.close() }
    }

    private var db: any SQLDatabase { connections[Int.random(in: 0..<connections.count)].sql() }
    /// A connection for a long read of whole tables.
    var connectionForScan: any SQLDatabase { connections[0].sql() }

    func metadata(_ key: String) async throws -> String? {
        try await db.raw("SELECT value FROM metadata WHERE key = \(bind: key)").first()
            .map { try $0.decode(column: "value", as: String.self) }
    }

    /// Every advisory entry for a package in a namespace (`debian:12`/`openssl`, `pypi`/`django`).
    public func affected(namespace: String, package: String) async throws -> [AffectedPackage] {
        let decoder = JSONDecoder()
        return try await db.raw("SELECT record FROM affected WHERE namespace = \(bind: namespace) AND package = \(bind: package)")
            .all().compactMap { row in
                let json = try row.decode(column: "record", as: String.self)
                return try? decoder.decode(AffectedPackage.self, from: Data(json.utf8))
            }
    }

    /// A vulnerability by its id or by one of its aliases.
    public func vulnerability(id: String) async throws -> Vulnerability? {
        let row = try await db.raw("""
            SELECT record FROM vulnerabilities WHERE id = \(bind: id)
            UNION ALL
            SELECT v.record FROM aliases a JOIN vulnerabilities v ON v.id = a.vulnerability_id WHERE a.alias = \(bind: id)
            LIMIT 1
            """).first()
        guard let json = try row?.decode(column: "record", as: String.self) else { return nil }
        return try JSONDecoder().decode(Vulnerability.self, from: Data(json.utf8))
    }

    /// Schema version, build time and what each source contributed.
    public func info() async throws -> DatabaseInfo {
        let built = try await metadata("built_at").flatMap(Double.init) ?? 0
        let sources = try await db.raw("SELECT name, format, records, affected, skipped FROM sources ORDER BY name").all().map {
            DatabaseInfo.Source(name: try $0.decode(column: "name", as: String.self),
                                format: try $0.decode(column: "format", as: String.self),
                                records: try $0.decode(column: "records", as: Int.self),
                                affectedPackages: try $0.decode(column: "affected", as: Int.self),
                                skipped: try $0.decode(column: "skipped", as: Int.self))
        }
        let vulnerabilities = try await db.raw("SELECT COUNT(*) AS n FROM vulnerabilities").first()
            .map { try $0.decode(column: "n", as: Int.self) } ?? 0
        let affected = try await db.raw("SELECT COUNT(*) AS n FROM affected").first()
            .map { try $0.decode(column: "n", as: Int.self) } ?? 0
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return DatabaseInfo(schemaVersion: Self.schemaVersion, builtAt: Date(timeIntervalSince1970: built),
                            vulnerabilities: vulnerabilities, affectedPackages: affected, fileSize: size, sources: sources)
    }

    /// Every (namespace, package) key — for benchmarks and for re-matching stored inventories.
    /// The advisory namespaces the database has entries for (`debian:12`, `pypi`…).
    public func namespaces() async throws -> Set<String> {
        Set(try await db.raw("SELECT DISTINCT namespace FROM affected").all().map { try $0.decode(column: "namespace", as: String.self) })
    }

    public func packageKeys() async throws -> [(namespace: String, package: String)] {
        try await db.raw("SELECT DISTINCT namespace, package FROM affected").all().map {
            (try $0.decode(column: "namespace", as: String.self), try $0.decode(column: "package", as: String.self))
        }
    }
}

public struct DatabaseInfo: Sendable, Codable {
    public struct Source: Sendable, Codable {
        public var name: String
        public var format: String
        public var records: Int
        public var affectedPackages: Int
        public var skipped: Int
    }

    public var schemaVersion: Int
    public var builtAt: Date
    public var vulnerabilities: Int
    public var affectedPackages: Int
    public var fileSize: Int
    public var sources: [Source]

    public var age: TimeInterval { Date().timeIntervalSince(builtAt) }
}

public struct VulnDBError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
