import Foundation
import SQLiteNIO

/// The header blobs of rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: RHEL/Rocky/Alma 9,
/// Fedora ≥ 33, Amazon Linux 2023): table `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`.
///
/// The database is opened read-only and `immutable=1`, so SQLite takes no locks and creates no
/// journal or WAL index next to it (rpm leaves the file in WAL mode; the image carries no WAL
/// contents a single-file analyzer could see anyway). In-memory content is first written to a
/// private temporary directory that is removed afterwards. Because the file is hostile, the
/// schema is checked before the query runs: `Packages` must be a plain table without generated
/// columns (a view or generated column could make SQLite compute unbounded data), and the query
/// caps both the row count and each blob's length.
enum RpmSQLiteReader {
    static let maxRows = 1_000_000
    static let maxBlobLength = 64 << 20

    static func isSQLite(_ head: [UInt8]) -> Bool {
        head.starts(with: Array("SQLite format 3\u{0}".utf8))
    }

    static func forEachBlob(_ content: FileContent,
                            _ body: @escaping @Sendable (Result<[UInt8], RpmFormatError>) -> Void) async throws {
        switch content {
        case .file(let url):
            try await read(databaseAt: url.path, body)
        case .memory(let data):
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("drydock-rpmdb-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("rpmdb.sqlite").path
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw RpmFormatError("cannot write a temporary copy of the database")
            }
            try await read(databaseAt: path, body)
        }
    }

    private static func read(databaseAt path: String,
                             _ body: @escaping @Sendable (Result<[UInt8], RpmFormatError>) -> Void) async throws {
        let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: "file:\(escaped)?mode=ro&immutable=1"))
        } catch {
            throw RpmFormatError("cannot open as SQLite: \(error)")
        }
        do {
            let kind = try await connection.query("SELECT type FROM sqlite_master WHERE name = 'Packages'")
            guard kind.count == 1, kind.first?.column("type")?.string == "table" else {
                throw RpmFormatError("no Packages table")
            }
            let generated = try await connection.query(
                "SELECT count(*) AS n FROM pragma_table_xinfo('Packages') WHERE hidden != 0")
            guard generated.first?.column("n")?.integer == 0 else {
                throw RpmFormatError("Packages table has generated columns")
            }
            try await connection.query(
                """
                SELECT CASE WHEN typeof(blob) = 'blob' AND length(blob) <= \(maxBlobLength) THEN blob END AS blob
                FROM Packages ORDER BY hnum LIMIT \(maxRows)
                """, []
            ) { row in
                if let buffer = row.column("blob")?.blob {
                    body(.success(Array(buffer.readableBytesView)))
                } else {
                    body(.failure(RpmFormatError("Packages row without a usable blob")))
                }
            }
        } catch let error as RpmFormatError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw RpmFormatError("SQLite: \(error)")
        }
        try? await connection.close()
    }
}
