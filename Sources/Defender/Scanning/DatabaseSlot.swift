import Foundation
import Matching
import VulnDB

/// The server's vulnerability database: the file at `path`, opened when it appears and reopened
/// when it is replaced (an atomic rename by `drydock db update`, or an upload through the admin
/// API). Replacement is noticed by the file's identity (device, inode, size, modification
/// time), so nothing needs restarting. The previous database stays open until the next swap:
/// a match that started on it may still be reading.
actor DatabaseSlot {
    struct Loaded: Sendable {
        let database: VulnDatabase
        let info: DatabaseInfo
        /// Shared lookups of everything matched against this database.
        let cache: AdvisoryCache
        /// Stored JSON of the findings matched against it.
        let bodies: FindingBodyCache
    }

    let path: String
    private(set) var current: Loaded?
    private var retired: VulnDatabase?
    private var fingerprint: [Int]?
    private(set) var lastError: String?
    private(set) var loadedAt: Double?

    init(path: String) {
        self.path = path
    }

    /// Opens the file if it is new or changed since the last look; true when a different
    /// database is now in place.
    func refresh(now: Double) async -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            if fingerprint != nil { lastError = "the database file \(path) disappeared; still using the one loaded before" }
            return false
        }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let seen = [(attributes[.deviceIdentifier] as? NSNumber)?.intValue ?? 0, (attributes[.systemFileNumber] as? NSNumber)?.intValue ?? 0,
                    (attributes[.size] as? NSNumber)?.intValue ?? 0, Int(modified * 1_000_000)]
        guard seen != fingerprint else { return false }
        fingerprint = seen
        do {
            let database = try await VulnDatabase.open(path: path)
            let info: DatabaseInfo
            do { info = try await database.info() } catch {
                await database.close()
                throw error
            }
            if let retired { await retired.close() }
            retired = current?.database
            current = Loaded(database: database, info: info, cache: AdvisoryCache(), bodies: FindingBodyCache())
            lastError = nil
            loadedAt = now
            return true
        } catch {
            lastError = "cannot load the vulnerability database \(path): \(error)"
            return false
        }
    }

    /// The advisory keys the last replacement changed, or nil when every image must be matched
    /// again (no database before, a database with other namespaces, or the comparison failed).
    func changedKeys() async -> Set<String>? {
        guard let current, let retired else { return nil }
        do {
            let new = try await current.database.fingerprint()
            let old = try await retired.fingerprint()
            guard new.namespaces == old.namespaces else { return nil }
            return new.changedKeys(comparedTo: old)
        } catch {
            return nil
        }
    }

    func close() async {
        if let retired { await retired.close() }
        if let current { await current.database.close() }
        retired = nil
        current = nil
    }
}
