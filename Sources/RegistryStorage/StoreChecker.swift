import Foundation
import OCI

/// `drydock fsck`: reads every blob back and re-hashes it, re-parses every manifest and checks
/// that what it references is present, and that every tag points at a manifest.
public struct StoreChecker: Sendable {
    public struct Problem: Sendable, CustomStringConvertible {
        public let subject: String
        public let message: String
        public var description: String { "\(subject): \(message)" }
    }

    public struct Report: Sendable {
        public var blobsChecked = 0
        public var manifestsChecked = 0
        public var tagsChecked = 0
        /// Files with no row: invisible to clients, removed by `gc`; reported, not a problem.
        public var unrecordedFiles = 0
        public var problems: [Problem] = []
        public var isClean: Bool { problems.isEmpty }
    }

    let store: RegistryStore

    public init(store: RegistryStore) {
        self.store = store
    }

    public func run(verifyContent: Bool = true) async throws -> Report {
        let metadata = store.metadata
        let blobs = store.blobs
        var report = Report()
        let rows = try await metadata.allBlobs()
        for row in rows {
            report.blobsChecked += 1
            guard let size = try blobs.size(of: row.digest) else {
                report.problems.append(Problem(subject: "blob \(row.digest)", message: "recorded but its file is missing"))
                continue
            }
            guard size == row.size else {
                report.problems.append(Problem(subject: "blob \(row.digest)", message: "file has \(size) bytes, recorded \(row.size)"))
                continue
            }
            if verifyContent {
                var hasher = DigestHasher(row.digest.algorithm)
                try blobs.forEachChunk(of: row.digest) { hasher.update($0) }
                let actual = hasher.finalize()
                if actual != row.digest {
                    report.problems.append(Problem(subject: "blob \(row.digest)", message: "content hashes to \(actual)"))
                }
            }
        }
        let recorded = Set(rows.map(\.digest))
        report.unrecordedFiles = try blobs.allBlobs().filter { !recorded.contains($0.digest) }.count

        let manifests = try await metadata.allManifests()
        let links = try await metadata.blobLinks()
        var linked: [String: Set<Digest>] = [:]
        for link in links { linked[link.repository, default: []].insert(link.digest) }
        var manifestsByRepo: [String: Set<Digest>] = [:]
        for m in manifests { manifestsByRepo[m.repository, default: []].insert(m.digest) }

        for manifest in manifests {
            report.manifestsChecked += 1
            let subject = "manifest \(manifest.repository)@\(manifest.digest)"
            guard recorded.contains(manifest.digest) else {
                report.problems.append(Problem(subject: subject, message: "its content is not recorded as a blob"))
                continue
            }
            let bytes: [UInt8]
            do { bytes = try blobs.read(manifest.digest, limit: OCI.maxManifestSize) } catch {
                report.problems.append(Problem(subject: subject, message: "cannot read content: \(error)"))
                continue
            }
            let parsed: ParsedManifest
            do { parsed = try ParsedManifest.parse(bytes, contentType: manifest.mediaType) } catch {
                report.problems.append(Problem(subject: subject, message: "content no longer parses: \(error.message)"))
                continue
            }
            for blob in parsed.requiredBlobs {
                if !recorded.contains(blob.digest) {
                    report.problems.append(Problem(subject: subject, message: "references missing blob \(blob.digest)"))
                } else if !(linked[manifest.repository]?.contains(blob.digest) ?? false) {
                    report.problems.append(Problem(subject: subject, message: "references blob \(blob.digest) that is not linked into the repository"))
                }
            }
            for child in parsed.manifests where !(manifestsByRepo[manifest.repository]?.contains(child.digest) ?? false) {
                report.problems.append(Problem(subject: subject, message: "index references manifest \(child.digest), which was deleted from the repository"))
            }
        }
        for tag in try await metadata.allTags() {
            report.tagsChecked += 1
            if !(manifestsByRepo[tag.repository]?.contains(tag.digest) ?? false) {
                report.problems.append(Problem(subject: "tag \(tag.repository):\(tag.tag)", message: "points at missing manifest \(tag.digest)"))
            }
        }
        return report
    }
}
