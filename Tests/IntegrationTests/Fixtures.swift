import DrydockTestSupport
import Foundation
import OCI

/// Paths and builders the real-client tests share.
enum Fixtures {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var scripts: String { repositoryRoot + "/Tests/IntegrationTests/Scripts" }

    /// The `drydock` executable of this build (`swift build` puts it next to the test bundle).
    static var drydockBinary: String {
        get async throws {
            for candidate in [".build/debug/drydock", ".build/release/drydock"] {
                let path = repositoryRoot + "/" + candidate
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            let build = try await Command.run(["swift", "build", "--product", "drydock"], directory: repositoryRoot)
            guard build.succeeded else { throw TestSupportError("cannot build drydock: \(build.stderr.suffix(500))") }
            return repositoryRoot + "/.build/debug/drydock"
        }
    }

    /// A three-layer OCI layout of real Debian packages (built once, cached under .cache/).
    /// Tests run in parallel, so the build is shared: every caller awaits the same task.
    static var debianLayout: String {
        get async throws { try await debianLayoutBuild.value }
    }

    private static let debianLayoutBuild = Task<String, any Error> {
        let out = repositoryRoot + "/.cache/test-images"
        let result = try await Command.run([repositoryRoot + "/scripts/make-test-image.sh", out])
        guard result.succeeded else {
            throw TestSupportError("building the test image failed (needs apt-get, dpkg-deb, umoci): \(result.stderr.suffix(800))")
        }
        return out + "/debian-layers"
    }

    /// The manifest digest an OCI layout's index.json names for `ref`.
    static func layoutManifest(_ layout: String, ref: String? = nil) throws -> Descriptor {
        let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
        guard let d = index.manifests.first(where: { ref == nil || $0.annotations?["org.opencontainers.image.ref.name"] == ref }) else {
            throw TestSupportError("\(layout) has no manifest \(ref ?? "")")
        }
        return d
    }

    static func readBlob(_ layout: String, _ digest: Digest) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/\(digest.algorithm)/\(digest.encoded)")))
    }

    static func writeBlob(_ layout: String, _ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.compute(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.encoded)"))
        return digest
    }

    /// A two-platform image index made from the Debian layout: the same layers under an amd64
    /// and an arm64 config (the content is architecture-independent Debian packages).
    static func multiArchLayout() async throws -> String {
        let source = try await debianLayout
        let target = try TemporaryDirectory.make(prefix: "multiarch")
        try FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        let amd = try layoutManifest(target)
        var manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(try readBlob(target, amd.digest)))
        var config = try JSONSerialization.jsonObject(with: Data(try readBlob(target, manifest.config.digest))) as? [String: Any] ?? [:]
        config["architecture"] = "arm64"
        config["variant"] = "v8"
        let configBytes = Array(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
        manifest.config = Descriptor(mediaType: MediaType.ociConfig, digest: try writeBlob(target, configBytes), size: Int64(configBytes.count))
        let armBytes = manifest.canonicalJSON()
        let arm = Descriptor(mediaType: MediaType.ociManifest, digest: try writeBlob(target, armBytes), size: Int64(armBytes.count),
                             platform: Platform(os: "linux", architecture: "arm64", variant: "v8"))
        var amdEntry = Descriptor(mediaType: MediaType.ociManifest, digest: amd.digest, size: amd.size,
                                  platform: Platform(os: "linux", architecture: "amd64"))
        amdEntry.annotations = nil
        let imageIndex = ImageIndex(manifests: [amdEntry, arm])
        let indexBytes = imageIndex.canonicalJSON()
        let indexDigest = try writeBlob(target, indexBytes)
        let top = ImageIndex(manifests: [Descriptor(mediaType: MediaType.ociIndex, digest: indexDigest, size: Int64(indexBytes.count),
                                                    annotations: ["org.opencontainers.image.ref.name": "latest"])])
        try Data(top.canonicalJSON()).write(to: URL(fileURLWithPath: target + "/index.json"))
        return target
    }
}
