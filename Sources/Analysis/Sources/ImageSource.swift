import OCI

/// One image (one platform) ready to be read: its manifest and config are already fetched and
/// verified; layers are streamed on demand.
public struct ResolvedImage: Sendable {
    public var manifestDigest: Digest?
    public var configDigest: Digest?
    public var platform: Platform?
    public var config: ImageConfig
    public var layers: [Descriptor]

    public init(manifestDigest: Digest?, configDigest: Digest?, platform: Platform?, config: ImageConfig, layers: [Descriptor]) {
        self.manifestDigest = manifestDigest
        self.configDigest = configDigest
        self.platform = platform
        self.config = config
        self.layers = layers
    }

    /// `created_by` of the history entries that made a layer, aligned with `layers` (history
    /// also lists empty layers, which are skipped).
    public var layerHistory: [String?] {
        let real = (config.history ?? []).filter { $0.emptyLayer != true }
        guard real.count == layers.count else { return Array(repeating: nil, count: layers.count) }
        return real.map(\.createdBy)
    }
}

/// Where images come from: a registry, an OCI layout directory, a docker-archive tar.
public protocol ImageSource: Sendable {
    /// How the user named the image.
    var reference: String { get }
    /// The images the reference names: one, or one per platform of an index (only `platform`'s
    /// when given).
    func images(platform: Platform?) async throws -> [ResolvedImage]
    /// Streams a layer blob into `sink`, verifying its digest; throws on mismatch.
    func readLayer(_ layer: Descriptor, of image: ResolvedImage, into sink: LayerSink) async throws
    /// Releases connections; call once when done.
    func close() async
}

extension ImageSource {
    public func close() async {}
}

/// Where a source pushes a layer's bytes: `write` each chunk as it arrives and `flush` between
/// chunks so that the analyzers (which are async) can run on the files completed so far.
public final class LayerSink {
    let walker: LayerWalker

    init(walker: LayerWalker) {
        self.walker = walker
    }

    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        try walker.consume(chunk)
    }

    public func flush() async {
        await walker.runPending()
    }
}

/// Parses `oci:DIR[:TAG]`, `docker-archive:FILE[:REF]` and registry references into a source.
public enum ImageSources {
    public static func parse(_ reference: String, registryOptions: RegistryImageSource.Options = .init()) throws -> any ImageSource {
        if reference.hasPrefix("oci:") {
            let (path, tag) = splitSuffix(String(reference.dropFirst(4)))
            return OCILayoutSource(reference: reference, directory: path, tag: tag)
        }
        if reference.hasPrefix("docker-archive:") {
            let (path, ref) = splitSuffix(String(reference.dropFirst("docker-archive:".count)))
            return DockerArchiveSource(reference: reference, path: path, wantedTag: ref)
        }
        let stripped = reference.hasPrefix("docker://") ? String(reference.dropFirst("docker://".count)) : reference
        do {
            return try RegistryImageSource(reference: ImageReference(stripped), options: registryOptions)
        } catch let error as OCIError {
            throw AnalysisError.unsupported("\(error.message) (use oci:DIR, docker-archive:FILE or HOST/REPO:TAG)")
        }
    }

    /// "path:suffix" where the path itself may contain colons only before the last slash.
    static func splitSuffix(_ value: String) -> (String, String?) {
        guard let colon = value.lastIndex(of: ":"), !value[colon...].contains("/") else { return (value, nil) }
        let suffix = String(value[value.index(after: colon)...])
        return (String(value[..<colon]), suffix.isEmpty ? nil : suffix)
    }
}
