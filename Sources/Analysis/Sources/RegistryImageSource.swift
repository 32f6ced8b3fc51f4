import OCI
import RegistryClient

/// An image in a registry (`HOST[:PORT]/REPO[:TAG|@DIGEST]`), read through `RegistryClient`:
/// credentials from docker/podman auth files or given ones, bearer-token challenges, retries.
/// Layers are streamed from the registry into the analyzers; nothing is written to disk.
public final class RegistryImageSource: ImageSource, @unchecked Sendable {
    public struct Options: Sendable {
        /// Plain HTTP (`--insecure`); loopback registries are also tried over plain HTTP.
        public var insecure = false
        public var credentials: Credentials?
        public var caFile: String?
        public var skipTLSVerify = false
        /// See `RegistryClient.Options.knownChallenge`.
        public var knownChallenge: AuthChallenge?
        /// See `RegistryClient.Options.bearerToken`.
        public var bearerToken: String?
        /// See `RegistryClient.Options.readsAuthFiles` (off when pulling on someone else's behalf).
        public var readsAuthFiles = true
        public var userAgent = "drydock-scanner"
        public init() {}
    }

    public let reference: String
    let image: ImageReference
    let client: RegistryClient

    public init(reference: ImageReference, options: Options) throws {
        self.reference = reference.description
        self.image = reference
        var clientOptions = RegistryClient.Options()
        clientOptions.plainHTTP = options.insecure
        clientOptions.credentials = options.credentials
        clientOptions.caFile = options.caFile
        clientOptions.skipTLSVerify = options.skipTLSVerify
        clientOptions.knownChallenge = options.knownChallenge
        clientOptions.bearerToken = options.bearerToken
        clientOptions.readsAuthFiles = options.readsAuthFiles
        clientOptions.userAgent = options.userAgent
        self.client = try RegistryClient(registry: reference.registry, options: clientOptions)
    }

    public func images(platform: Platform?) async throws -> [ResolvedImage] {
        let found = try await client.resolveImages(image.repository, reference: image.manifestReference, platform: platform)
        var out: [ResolvedImage] = []
        for (entryPlatform, fetched) in found {
            let parsed = try ManifestResolver.parseManifest(fetched.bytes, mediaType: fetched.mediaType, what: reference)
            guard parsed.kind == .image, let configDescriptor = parsed.config else {
                throw AnalysisError.unsupported("\(reference) is not an image manifest")
            }
            let config = try ManifestResolver.decodeConfig(
                try await client.blob(image.repository, digest: configDescriptor.digest), what: reference)
            out.append(ResolvedImage(manifestDigest: fetched.digest, configDigest: configDescriptor.digest,
                                     platform: entryPlatform ?? Platform(os: config.os, architecture: config.architecture, variant: config.variant),
                                     config: config, layers: parsed.layers))
        }
        return out
    }

    public func readLayer(_ layer: Descriptor, of image: ResolvedImage, into sink: LayerSink) async throws {
        _ = try await client.streamBlob(self.image.repository, digest: layer.digest) { buffer in
            try buffer.withUnsafeReadableBytes { try sink.write($0) }
            await sink.flush()
        }
    }

    public func close() async {
        await client.shutdown()
    }
}
