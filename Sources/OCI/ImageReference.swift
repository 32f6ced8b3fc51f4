/// A full image reference as users type it: `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`, normalised the
/// way docker and podman do it (no host → Docker Hub, single-component Hub names → `library/`).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public static let dockerHub = "docker.io"

    /// Registry host with optional port, as written (`localhost:5000`, `docker.io`).
    public let registry: String
    public let repository: RepositoryName
    public let tag: Tag?
    public let digest: Digest?

    public init(registry: String, repository: RepositoryName, tag: Tag? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    public init(_ string: String) throws(OCIError) {
        guard !string.isEmpty, string.utf8.count <= 1024 else {
            throw OCIError(.referenceInvalid, "image reference is empty or too long")
        }
        var rest = Substring(string)
        var digest: Digest?
        if let at = rest.lastIndex(of: "@") {
            digest = try Digest(String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        // The registry is the first component if it looks like a host (has '.', ':' or is localhost).
        var registry = Self.dockerHub
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.contains("[") {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        var tag: Tag?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = try Tag(String(rest[rest.index(after: colon)...]))
            rest = rest[..<colon]
        }
        var name = String(rest)
        if registry == Self.dockerHub, !name.contains("/") { name = "library/" + name }
        do {
            repository = try RepositoryName(name)
        } catch {
            throw OCIError(.referenceInvalid, "invalid image reference '\(string.prefix(200))': \(error.message)")
        }
        self.registry = registry
        self.tag = (tag == nil && digest == nil) ? Tag.latest : tag
        self.digest = digest
    }

    /// What to ask the registry for: the digest if pinned, else the tag.
    public var manifestReference: ManifestReference {
        if let digest { return .digest(digest) }
        return .tag(tag ?? Tag.latest)
    }

    public var description: String {
        var s = "\(registry)/\(repository.value)"
        if let tag { s += ":\(tag.value)" }
        if let digest { s += "@\(digest)" }
        return s
    }
}
