import Foundation

/// Red Hat-family packages from rpm's database, in any of its three storage formats: SQLite
/// `rpmdb.sqlite`, Berkeley DB hash `Packages` and ndb `Packages.db`, in `/var/lib/rpm/`,
/// `/usr/lib/sysimage/rpm/` (Fedora ≥ 36, openSUSE) or `/usr/share/rpm/` (older SUSE). The format
/// is recognised from the content, not the file name. Each database record is a package header;
/// see `RpmInstalledPackage` for how it maps to a package (epoch rule, source package) and
/// `RpmHeader` for the blob layout. `gpg-pubkey` entries (imported signing keys) are reported as
/// rpm, Syft and Trivy list them. Files the packages
/// installed are returned as `ownedFiles` (`rpm:NAME`).
public struct RpmAnalyzer: Analyzer {
    public let name = "rpm"
    public let version = 1

    static let directories = ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/"]
    static let fileNames: Set<Substring> = ["Packages", "Packages.db", "rpmdb.sqlite"]

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        let fileName = file.fileName
        guard Self.fileNames.contains(fileName) else { return false }
        let directory = file.path.dropLast(fileName.count)
        return Self.directories.contains { directory == $0 }
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let bytes: DatabaseFileBytes
        do {
            bytes = try DatabaseFileBytes(content)
        } catch {
            throw AnalysisError.malformed(file.path, "cannot read: \(error.localizedDescription)")
        }
        if bytes.size == 0 { return .none }
        let head = bytes.read(at: 0, count: min(bytes.size, 72)) ?? []
        do {
            if RpmSQLiteReader.isSQLite(head) {
                let scan = LockedScan(location: file.path)
                try await RpmSQLiteReader.forEachBlob(content) { scan.add($0) }
                return try scan.result()
            }
            var scan = RpmDatabaseScan(location: file.path)
            if head.storedUInt32LE(at: 0) == RpmNDBReader.headerMagic {
                try RpmNDBReader(bytes).forEachBlob { scan.add($0) }
            } else if head.storedUInt32LE(at: 12) == BerkeleyDBHashReader.hashMagic
                        || head.storedUInt32BE(at: 12) == BerkeleyDBHashReader.hashMagic {
                try BerkeleyDBHashReader(bytes).forEachValue { key, value in
                    // Key 0 holds rpm's next free instance number, not a header.
                    if key.count == 4, key.allSatisfy({ $0 == 0 }) { return }
                    scan.add(value)
                }
            } else {
                throw RpmFormatError("not an rpm database (neither SQLite, Berkeley DB hash nor ndb)")
            }
            return try scan.result()
        } catch let error as RpmFormatError {
            throw AnalysisError.malformed(file.path, error.reason)
        }
    }

    /// `RpmDatabaseScan` behind a lock, for SQLiteNIO's row callback, which runs on its thread pool.
    private final class LockedScan: @unchecked Sendable {
        private let lock = NSLock()
        private var scan: RpmDatabaseScan

        init(location: String) { scan = RpmDatabaseScan(location: location) }

        func add(_ blob: Result<[UInt8], RpmFormatError>) {
            lock.lock()
            defer { lock.unlock() }
            scan.add(blob)
        }

        func result() throws -> FileFindings {
            lock.lock()
            defer { lock.unlock() }
            return try scan.result()
        }
    }
}
