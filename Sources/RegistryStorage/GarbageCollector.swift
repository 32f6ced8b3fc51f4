import Foundation
import OCI

/// `drydock gc`: removes what no image needs any more. Each step is its own transaction and
/// re-checks its condition inside it, so a push running at the same time either completes first
/// (and its content is kept) or sees the content gone and fails cleanly, never half-linked.
/// Only content older than `grace` is considered, so a push in progress is never collected.
public struct GarbageCollector: Sendable {
    public struct Options: Sendable {
        public var apply = false
        public var deleteUntagged = false
        public var grace: Double = 3600
        public var uploadExpiry: Double = 24 * 3600
        public init() {}
    }

    public struct Report: Sendable {
        public var untaggedManifests: [(repository: String, digest: Digest)] = []
        public var unlinkedBlobs: [(repository: String, digest: Digest)] = []
        public var deletedBlobs: [Digest] = []
        public var orphanFiles: [Digest] = []
        public var expiredUploads = 0
    }

    let store: RegistryStore

    public init(store: RegistryStore) {
        self.store = store
    }

    public func run(_ options: Options) async throws -> Report {
        let metadata = store.metadata
        let blobs = store.blobs
        let cutoff = Date().timeIntervalSince1970 - options.grace
        var report = Report()
        if options.deleteUntagged {
            // Deleting an index can leave its children untagged and unreferenced: repeat until stable.
            for _ in 0..<(options.apply ? 16 : 1) {
                let removed = try await metadata.deleteUntaggedManifests(olderThan: cutoff, apply: options.apply)
                report.untaggedManifests += removed
                if removed.isEmpty { break }
            }
        }
        report.unlinkedBlobs = try await metadata.unlinkUnreferencedBlobs(olderThan: cutoff, apply: options.apply)
        let candidates = try await metadata.unreferencedBlobs(olderThan: cutoff)
        if options.apply {
            for digest in candidates {
                if try await metadata.deleteUnreferencedBlob(digest, olderThan: cutoff, remove: { try blobs.delete(digest) }) {
                    report.deletedBlobs.append(digest)
                }
            }
        } else {
            // A dry run cannot unlink, so blobs that only the listed links keep alive are counted too.
            let unlinked = Set(report.unlinkedBlobs.map(\.digest))
            let unlinkedPairs = Set(report.unlinkedBlobs.map { "\($0.repository)@\($0.digest)" })
            let links = try await metadata.blobLinks()
            let stillLinked = Set(links.filter { !unlinkedPairs.contains("\($0.repository)@\($0.digest)") }.map(\.digest))
            let manifestDigests = Set(try await metadata.allManifests().map(\.digest))
            let rows = try await metadata.allBlobs()
            report.deletedBlobs = rows.filter { row in
                row.createdAt < cutoff && (candidates.contains(row.digest)
                    || (unlinked.contains(row.digest) && !stillLinked.contains(row.digest) && !manifestDigests.contains(row.digest)))
            }.map(\.digest)
        }
        // Files without a row: a crash between rename and commit, or a blob deleted by hand.
        let recorded = Set(try await metadata.allBlobs().map(\.digest))
        for file in try blobs.allBlobs() where file.modified < cutoff && !recorded.contains(file.digest) {
            if options.apply {
                if try await metadata.removeIfUnrecorded(file.digest, remove: { try blobs.delete(file.digest) }) {
                    report.orphanFiles.append(file.digest)
                }
            } else {
                report.orphanFiles.append(file.digest)
            }
        }
        if options.apply {
            report.expiredUploads = try await store.expireUploads(maxIdle: options.uploadExpiry)
        }
        return report
    }
}
