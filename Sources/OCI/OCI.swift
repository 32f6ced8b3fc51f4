/// The OCI module: digests, repository names, tags, references, media types, descriptors,
/// manifests, indexes and platforms — the values every other Drydock module talks in.
///
/// Everything here parses *untrusted* input (a manifest body from the network, a reference typed
/// by a user) and either returns a validated value or throws an `OCIError` naming the problem.
/// It deliberately does no I/O: no HTTP, no files, no storage. That keeps it usable from the
/// registry server, the client, the scanner and the tests alike.
public enum OCI {
    /// The largest manifest the registry accepts and the client reads (the distribution spec
    /// suggests registries accept at least 4 MiB).
    public static let maxManifestSize = 4 * 1024 * 1024
}
