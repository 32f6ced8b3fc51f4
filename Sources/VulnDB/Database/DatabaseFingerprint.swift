import Foundation
import SQLKit

/// What matching reads from a database, summarised per advisory key (namespace and package): a
/// value that changes when any entry for the key changes, or the record of any vulnerability
/// those entries name (severity, aliases, KEV status…). Two fingerprints taken in one process
/// say which keys a database update touched, so that only images with packages under those keys
/// need matching again. The values come from Swift's `Hasher`, seeded per process: they are
/// never stored.
public struct DatabaseFingerprint: Sendable {
    /// `namespace|package` → the combined value of its entries.
    public let keys: [String: Int]
    public let namespaces: Set<String>

    /// Keys whose entries differ between the two databases (including keys only one has).
    public func changedKeys(comparedTo older: DatabaseFingerprint) -> Set<String> {
        var changed = Set<String>()
        for (key, value) in keys where older.keys[key] != value { changed.insert(key) }
        for key in older.keys.keys where keys[key] == nil { changed.insert(key) }
        return changed
    }
}

extension VulnDatabase {
    /// Reads every entry once (streamed, not held): tens of milliseconds per ten thousand entries.
    public func fingerprint() async throws -> DatabaseFingerprint {
        let db = connectionForScan
        let state = Accumulator()
        try await db.raw("SELECT id, record FROM vulnerabilities").run { row in
            guard let id = try? row.decode(column: "id", as: String.self),
                  let record = try? row.decode(column: "record", as: String.self) else { return }
            state.records[id] = record.hashValue
        }
        try await db.raw("SELECT namespace, package, vulnerability_id, record FROM affected").run { row in
            guard let namespace = try? row.decode(column: "namespace", as: String.self),
                  let package = try? row.decode(column: "package", as: String.self),
                  let id = try? row.decode(column: "vulnerability_id", as: String.self),
                  let record = try? row.decode(column: "record", as: String.self) else { return }
            var hasher = Hasher()
            hasher.combine(id)
            hasher.combine(record)
            hasher.combine(state.records[id] ?? 0)
            // Entries are combined by addition: the order rows come back in does not matter.
            state.keys["\(namespace)|\(package)", default: 0] &+= hasher.finalize()
            state.namespaces.insert(namespace)
        }
        return DatabaseFingerprint(keys: state.keys, namespaces: state.namespaces)
    }
}

/// What `fingerprint` gathers. SQLKit calls a row handler once per row, one row after another,
/// on the connection's event loop; the handler is `@Sendable` only because the API says so.
private final class Accumulator: @unchecked Sendable {
    var records: [String: Int] = [:]
    var keys: [String: Int] = [:]
    var namespaces = Set<String>()
}
