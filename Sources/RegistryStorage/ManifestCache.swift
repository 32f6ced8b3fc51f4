import OCI
import Synchronization

/// Manifest lookups served from memory, so that a pull — the hottest request a registry gets —
/// needs no database round trip and no file read while nothing has changed.
///
/// Records are kept per (repository, tag or digest) together with the metadata store's
/// `changeGeneration` they were read under; any write bumps the generation and so retires every
/// record at once (pushes are rare next to pulls, so precision is not worth its bookkeeping).
/// Writes by other processes are noticed by the store's watcher within its interval. Manifest
/// bytes are kept per digest: content-addressed, they never change, and a deleted manifest is
/// never looked up because its record is gone first.
final class ManifestCache: Sendable {
    struct Key: Hashable {
        var repository: String
        var reference: ManifestReference
    }

    private struct Entry {
        var generation: UInt64
        var record: ManifestRecord
    }

    private struct Bytes {
        var byDigest: [Digest: [UInt8]] = [:]
        var total = 0
    }

    /// Bounds: when full, a table is emptied and refills with what is pulled now.
    static let maxRecords = 8192
    static let maxManifestSize = 64 << 10
    static let maxTotalBytes = 32 << 20

    private let records = Mutex<[Key: Entry]>([:])
    private let bytes = Mutex(Bytes())

    func record(_ key: Key, generation: UInt64) -> ManifestRecord? {
        records.withLock { records in
            guard let entry = records[key], entry.generation == generation else { return nil }
            return entry.record
        }
    }

    /// Keeps `record`, read under `generation` (taken *before* the read began).
    func store(_ key: Key, _ record: ManifestRecord, generation: UInt64) {
        records.withLock { records in
            if records.count >= Self.maxRecords, records[key] == nil { records.removeAll(keepingCapacity: true) }
            records[key] = Entry(generation: generation, record: record)
        }
    }

    func bytes(_ digest: Digest) -> [UInt8]? {
        bytes.withLock { $0.byDigest[digest] }
    }

    func storeBytes(_ digest: Digest, _ content: [UInt8]) {
        guard content.count <= Self.maxManifestSize else { return }
        bytes.withLock { bytes in
            guard bytes.byDigest[digest] == nil else { return }
            if bytes.total + content.count > Self.maxTotalBytes { bytes = Bytes() }
            bytes.byDigest[digest] = content
            bytes.total += content.count
        }
    }
}
