import Analysis
import DrydockTestSupport
import Foundation
import OCI

/// A test analyzer for the layer machinery: every `*.pkg` file holds "name version" lines.
/// (The real analyzers have their own tests; this one makes whiteout and tar tests readable.)
struct PkgListAnalyzer: Analyzer {
    let name = "pkg-list"
    let version = 1
    func wants(_ file: FileHeader) -> Bool { file.path.hasSuffix(".pkg") }
    func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let text = String(decoding: try content.data(), as: UTF8.self)
        return FileFindings(packages: text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            return Package(type: .npm, name: String(parts[0]), version: String(parts[1]), location: file.path)
        })
    }
}

/// Builds layer tarballs with the real `tar`, and OCI layouts from them, in a temp directory.
struct LayerFactory {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drydock-analysis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: root) }

    /// A tree of files (path → content; content nil = empty directory) packed by GNU tar in
    /// `format` (gnu, posix, ustar), optionally compressed with `compress` (gzip, zstd).
    /// `hardlinks` maps a new path to an existing file of `files`; tar stores whichever sorts
    /// second as a hard-link entry.
    func layer(_ name: String, files: [String: String?], symlinks: [String: String] = [:], hardlinks: [String: String] = [:],
               format: String = "posix", compress: String? = nil) async throws -> URL {
        let tree = root.appendingPathComponent("tree-\(name)")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        for (path, content) in files {
            let url = tree.appendingPathComponent(path)
            if let content {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            } else {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            }
        }
        for (path, target) in symlinks {
            let url = tree.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
        for (path, existing) in hardlinks {
            let url = tree.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.linkItem(at: tree.appendingPathComponent(existing), to: url)
        }
        let tar = root.appendingPathComponent("\(name).tar")
        try await run(["tar", "--format=\(format)", "--sort=name", "-C", tree.path, "-cf", tar.path, "."])
        switch compress {
        case "gzip":
            try await run(["gzip", "-kf", tar.path])
            return URL(fileURLWithPath: tar.path + ".gz")
        case "zstd":
            try await run(["zstd", "-qf", tar.path, "-o", tar.path + ".zst"])
            return URL(fileURLWithPath: tar.path + ".zst")
        default:
            return tar
        }
    }

    /// An OCI layout holding one image made of `layers` (blobs as given), tagged "latest".
    func layout(_ name: String, layers: [URL], corruptLayer: Int? = nil) throws -> String {
        let dir = root.appendingPathComponent("layout-\(name)")
        let blobs = dir.appendingPathComponent("blobs/sha256")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        func put(_ bytes: [UInt8]) throws -> Digest {
            let digest = Digest.compute(bytes)
            try Data(bytes).write(to: blobs.appendingPathComponent(digest.encoded))
            return digest
        }
        var descriptors: [Descriptor] = []
        var diffIDs: [Digest] = []
        for (index, url) in layers.enumerated() {
            var bytes = [UInt8](try Data(contentsOf: url))
            let digest = try put(bytes)
            if index == corruptLayer {
                bytes[bytes.count / 2] ^= 0xFF
                try Data(bytes).write(to: blobs.appendingPathComponent(digest.encoded))
            }
            descriptors.append(Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: Int64(bytes.count)))
            diffIDs.append(digest)  // not the real diff_id, but unique per layer, which is all the cache needs here
        }
        let config = try JSONEncoder().encode(ImageConfig(os: "linux", architecture: "amd64", diffIDs: diffIDs))
        let configDigest = try put([UInt8](config))
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": MediaType.ociManifest,
            "config": ["mediaType": MediaType.ociConfig, "digest": configDigest.description, "size": config.count],
            "layers": descriptors.map { ["mediaType": $0.mediaType, "digest": $0.digest.description, "size": $0.size] },
        ]
        let manifestBytes = try JSONSerialization.data(withJSONObject: manifest)
        let manifestDigest = try put([UInt8](manifestBytes))
        let index: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [["mediaType": MediaType.ociManifest, "digest": manifestDigest.description, "size": manifestBytes.count,
                           "annotations": ["org.opencontainers.image.ref.name": "latest"]]],
        ]
        try JSONSerialization.data(withJSONObject: index).write(to: dir.appendingPathComponent("index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: dir.appendingPathComponent("oci-layout"))
        return dir.path
    }

    private func run(_ arguments: [String]) async throws {
        let result = try await Command.run(arguments)
        guard result.succeeded else { throw AnalysisError.unsupported("\(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }
}

extension ImageInventory {
    /// "name version location" per package, for compact assertions.
    var summary: [String] { packages.map { "\($0.name) \($0.version) \($0.location)" }.sorted() }
}
