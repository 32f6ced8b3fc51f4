import DrydockTestSupport
import Foundation
import OCI
import RegistryClient

/// Small real images built by the tests: layers packed by GNU tar and gzip, an OCI config and
/// manifest, pushed with `RegistryClient` like any client would.
struct TestImage {
    var layers: [[UInt8]]
    var config: [UInt8]

    /// Python packages as `.dist-info/METADATA` files under `prefix`'s site-packages.
    static func python(_ packages: [(String, String)], prefix: String = "/usr/local", extraFiles: [String: String] = [:]) async throws -> TestImage {
        var files = extraFiles
        for (name, version) in packages {
            files["\(prefix.dropFirst())/lib/python3.11/site-packages/\(name)-\(version).dist-info/METADATA"] =
                "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n"
        }
        return try await TestImage(layers: [try await layer(files)])
    }

    init(layers: [[UInt8]]) async throws {
        self.layers = layers
        var diffIDs: [String] = []
        for layer in layers { diffIDs.append(try await Self.diffID(of: layer)) }
        let config: [String: Any] = [
            "architecture": "amd64", "os": "linux",
            "config": [String: Any](),
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
            "history": layers.indices.map { ["created_by": "test layer \($0 + 1)"] },
        ]
        self.config = Array(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
    }

    /// A gzip-compressed tar of `files` (path → content).
    static func layer(_ files: [String: String]) async throws -> [UInt8] {
        let dir = try TemporaryDirectory.make(prefix: "test-layer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tree = dir + "/tree"
        for (path, content) in files {
            let url = URL(fileURLWithPath: tree + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        let tar = try await Command.run(["tar", "--format=posix", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
                                         "-C", tree, "-cf", dir + "/layer.tar", "."])
        guard tar.succeeded else { throw TestSupportError("tar: \(tar.stderr)") }
        let gzip = try await Command.run(["gzip", "-n", dir + "/layer.tar"])
        guard gzip.succeeded else { throw TestSupportError("gzip: \(gzip.stderr)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/layer.tar.gz")))
    }

    static func diffID(of gzipped: [UInt8]) async throws -> String {
        let dir = try TemporaryDirectory.make(prefix: "test-diffid")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(gzipped).write(to: URL(fileURLWithPath: dir + "/l.gz"))
        let result = try await Command.run(["sh", "-c", "gzip -dc '\(dir)/l.gz' | sha256sum"])
        guard let hex = result.stdout.split(separator: " ").first, hex.count == 64 else {
            // Not gzip (a corrupt layer on purpose): the diff ID is then the blob's own digest.
            return Digest.compute(gzipped).description
        }
        return "sha256:" + hex
    }

    var manifest: [UInt8] {
        let object: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": MediaType.ociManifest,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest.compute(config).description, "size": config.count],
            "layers": layers.map { ["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": Digest.compute($0).description, "size": $0.count] },
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    var digest: String { Digest.compute(manifest).description }

    /// Pushes blobs and the manifest as the admin (or `username`), returning the manifest digest.
    @discardableResult
    func push(to registry: String, _ repository: String, tag: String?, username: String = "admin",
              password: String = TestRegistry.adminPassword) async throws -> String {
        var options = RegistryClient.Options()
        options.plainHTTP = true
        options.credentials = Credentials(username: username, password: password)
        let client = try RegistryClient(registry: registry, options: options)
        do {
            let name = try RepositoryName(repository)
            for layer in layers { _ = try await client.uploadBlob(name, bytes: layer) }
            _ = try await client.uploadBlob(name, bytes: config)
            let reference: ManifestReference = try tag.map { .tag(try Tag($0)) } ?? .digest(Digest.compute(manifest))
            let digest = try await client.putManifest(name, reference: reference, bytes: manifest, mediaType: MediaType.ociManifest)
            await client.shutdown()
            return digest.description
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
