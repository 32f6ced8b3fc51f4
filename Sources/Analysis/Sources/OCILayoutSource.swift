import Foundation
import OCI

/// An OCI image layout directory (`oci:DIR[:TAG]`), as skopeo, umoci, buildah and `oras` write it.
public struct OCILayoutSource: ImageSource {
    public let reference: String
    let directory: String
    let tag: String?

    public init(reference: String, directory: String, tag: String?) {
        self.reference = reference
        self.directory = directory
        self.tag = tag
    }

    public func images(platform: Platform?) async throws -> [ResolvedImage] {
        guard FileManager.default.fileExists(atPath: directory + "/oci-layout") else {
            throw AnalysisError.unsupported("\(directory) is not an OCI image layout (no oci-layout file)")
        }
        let index = try parse(LocalFileReader.readSmall(directory + "/index.json"), mediaType: MediaType.ociIndex, what: "index.json")
        let named = index.manifests.filter { $0.annotations?["org.opencontainers.image.ref.name"] != nil }
        let top: Descriptor
        if let tag {
            guard let found = index.manifests.first(where: { $0.annotations?["org.opencontainers.image.ref.name"] == tag }) else {
                let names = named.compactMap { $0.annotations?["org.opencontainers.image.ref.name"] }.joined(separator: ", ")
                throw AnalysisError.unsupported("\(directory) has no image tagged '\(tag)' (it has: \(names.isEmpty ? "none" : names))")
            }
            top = found
        } else if index.manifests.count == 1 {
            top = index.manifests[0]
        } else if let latest = index.manifests.first(where: { $0.annotations?["org.opencontainers.image.ref.name"] == "latest" }) {
            top = latest
        } else {
            throw AnalysisError.unsupported("\(directory) holds \(index.manifests.count) images; name one as oci:DIR:TAG")
        }
        return try ManifestResolver.resolve(top, platform: platform, what: reference) { digest in
            try readBlob(digest)
        }
    }

    public func readLayer(_ layer: Descriptor, of image: ResolvedImage, into sink: LayerSink) async throws {
        try await LocalFileReader.stream(path: blobPath(layer.digest), verify: layer.digest, into: sink)
    }

    private func blobPath(_ digest: Digest) -> String {
        "\(directory)/blobs/\(digest.algorithm.rawValue)/\(digest.encoded)"
    }

    private func readBlob(_ digest: Digest) throws -> [UInt8] {
        let bytes = [UInt8](try LocalFileReader.readSmall(blobPath(digest)))
        guard Digest.compute(bytes, algorithm: digest.algorithm) == digest else {
            throw AnalysisError.unsupported("blob \(digest) in \(directory) does not match its digest")
        }
        return bytes
    }

    private func parse(_ data: Data, mediaType: String, what: String) throws -> ParsedManifest {
        do { return try ParsedManifest.parse([UInt8](data), contentType: mediaType) } catch {
            throw AnalysisError.unsupported("\(directory)/\(what): \(error.message)")
        }
    }
}

/// Turns a top-level descriptor into images, for sources that can read blobs by digest.
enum ManifestResolver {
    static func resolve(_ top: Descriptor, platform: Platform?, what: String,
                        blob: (Digest) throws -> [UInt8]) throws -> [ResolvedImage] {
        let parsed = try parseManifest(blob(top.digest), mediaType: top.mediaType, what: what)
        guard parsed.kind == .index else {
            return [try image(parsed, digest: top.digest, platform: top.platform, what: what, blob: blob)]
        }
        var children = parsed.manifests.filter { $0.platform.map { $0.os != "unknown" } ?? true }
        if let platform {
            children = children.filter { $0.platform?.matches(platform) ?? false }
            guard !children.isEmpty else {
                let available = parsed.manifests.compactMap { $0.platform?.description }.joined(separator: ", ")
                throw AnalysisError.unsupported("\(what) has no image for \(platform) (it has: \(available))")
            }
        }
        return try children.map { child in
            let manifest = try parseManifest(blob(child.digest), mediaType: child.mediaType, what: what)
            guard manifest.kind == .image else { throw AnalysisError.unsupported("\(what): nested indexes are not supported") }
            return try image(manifest, digest: child.digest, platform: child.platform, what: what, blob: blob)
        }
    }

    static func image(_ manifest: ParsedManifest, digest: Digest?, platform: Platform?, what: String,
                      blob: (Digest) throws -> [UInt8]) throws -> ResolvedImage {
        guard let configDescriptor = manifest.config else { throw AnalysisError.unsupported("\(what): manifest has no config") }
        let config = try decodeConfig(blob(configDescriptor.digest), what: what)
        let platform = platform ?? Platform(os: config.os, architecture: config.architecture, variant: config.variant)
        return ResolvedImage(manifestDigest: digest, configDigest: configDescriptor.digest, platform: platform,
                             config: config, layers: manifest.layers)
    }

    static func parseManifest(_ bytes: [UInt8], mediaType: String?, what: String) throws -> ParsedManifest {
        do { return try ParsedManifest.parse(bytes, contentType: mediaType) } catch {
            throw AnalysisError.unsupported("\(what): invalid manifest: \(error.message)")
        }
    }

    static func decodeConfig(_ bytes: [UInt8], what: String) throws -> ImageConfig {
        do { return try JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) } catch {
            throw AnalysisError.unsupported("\(what): the image config is not valid JSON of the expected shape")
        }
    }
}
