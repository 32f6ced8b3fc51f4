/// An OCI content descriptor: what a manifest says about a piece of content it refers to.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?
    /// Embedded content (base64) — allowed by the image spec for small blobs.
    public var data: String?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil,
                platform: Platform? = nil, artifactType: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }

    func validate(_ field: String) throws(OCIError) {
        guard MediaType.isWellFormed(mediaType) else {
            throw OCIError(.manifestInvalid, "\(field): media type '\(mediaType.prefix(100))' is malformed")
        }
        guard size >= 0 else { throw OCIError(.manifestInvalid, "\(field): size is negative") }
        if let artifactType, !MediaType.isWellFormed(artifactType) {
            throw OCIError(.manifestInvalid, "\(field): artifactType '\(artifactType.prefix(100))' is malformed")
        }
    }
}

/// The platform an image in an index runs on.
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// `linux/arm64/v8` style, as `--platform` takes it.
    public init(_ string: String) throws(OCIError) {
        let parts = string.split(separator: "/").map(String.init)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw OCIError(.referenceInvalid, "platform '\(string.prefix(60))' must look like os/arch[/variant]")
        }
        self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
    }

    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }

    /// Whether this platform satisfies a request; a request without variant matches any variant,
    /// and arm64 without variant equals arm64/v8 (as containerd normalises it).
    public func matches(_ wanted: Platform) -> Bool {
        guard os == wanted.os, architecture == wanted.architecture else { return false }
        guard let wantedVariant = wanted.variant else { return true }
        let mine = variant ?? (architecture == "arm64" ? "v8" : nil)
        return mine == wantedVariant
    }
}
