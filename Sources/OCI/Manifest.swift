import Foundation

/// A manifest body that passed validation, with what it references pulled out so that storage can
/// check existence and record references without re-parsing.
public struct ParsedManifest: Sendable {
    public enum Kind: Sendable, Equatable {
        /// An image or artifact manifest: config + layers.
        case image
        /// An image index / manifest list: child manifests.
        case index
    }

    public let kind: Kind
    /// The media type the manifest is stored and served under.
    public let mediaType: String
    /// `artifactType`, or for an image manifest without one, its config media type — the value
    /// the referrers API reports and filters on.
    public let artifactType: String?
    public let subject: Descriptor?
    public let annotations: [String: String]?
    public let config: Descriptor?
    public let layers: [Descriptor]
    public let manifests: [Descriptor]

    /// Blobs that must exist in the repository before this manifest can be stored. Foreign
    /// (non-distributable, URL-backed) layers are excluded, as the spec lets registries skip them.
    public var requiredBlobs: [Descriptor] {
        var out: [Descriptor] = []
        if let config { out.append(config) }
        for layer in layers where !Self.isForeign(layer) { out.append(layer) }
        return out
    }

    static func isForeign(_ d: Descriptor) -> Bool {
        if let urls = d.urls, !urls.isEmpty { return true }
        return d.mediaType.contains(".nondistributable.") || d.mediaType.contains(".foreign.")
    }

    /// Parses and validates an untrusted manifest body.
    /// - Parameter contentType: the `Content-Type` it was sent with, if any.
    public static func parse(_ bytes: [UInt8], contentType: String?) throws(OCIError) -> ParsedManifest {
        guard bytes.count <= OCI.maxManifestSize else {
            throw OCIError(.manifestInvalid, "manifest is larger than \(OCI.maxManifestSize) bytes")
        }
        let raw: RawManifest
        do {
            raw = try JSONDecoder().decode(RawManifest.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw OCIError(.manifestInvalid, "manifest is not valid JSON of the expected shape: \(Self.describe(error))")
        } catch {
            throw OCIError(.manifestInvalid, "manifest is not valid JSON")
        }

        let declared = contentType.map(MediaType.essence).flatMap { $0.isEmpty ? nil : $0 }
        let bodyType = raw.mediaType.map(MediaType.essence)
        if let schema1 = [declared, bodyType].compactMap({ $0 }).first(where: { $0 == MediaType.dockerSchema1 || $0 == MediaType.dockerSchema1Signed }) {
            throw OCIError(.manifestInvalid, "Docker schema 1 manifests (\(schema1)) are not supported; push with a current client")
        }
        var mediaType: String
        if let declared, MediaType.manifests.contains(declared) {
            if let bodyType, bodyType != declared {
                throw OCIError(.manifestInvalid, "Content-Type \(declared) does not match the manifest's mediaType \(bodyType)")
            }
            mediaType = declared
        } else if let bodyType, MediaType.manifests.contains(bodyType) {
            mediaType = bodyType
        } else if raw.manifests != nil {
            mediaType = MediaType.ociIndex
        } else if raw.config != nil {
            mediaType = MediaType.ociManifest
        } else {
            throw OCIError(.manifestInvalid, "cannot tell the manifest type: no known mediaType and neither config nor manifests present")
        }
        if let bodyType, !MediaType.manifests.contains(bodyType) {
            throw OCIError(.manifestInvalid, "unknown manifest mediaType '\(bodyType.prefix(100))'")
        }
        guard raw.schemaVersion == 2 else {
            throw OCIError(.manifestInvalid, "schemaVersion must be 2")
        }
        try raw.subject?.validate("subject")
        if let artifactType = raw.artifactType, !MediaType.isWellFormed(artifactType) {
            throw OCIError(.manifestInvalid, "artifactType '\(artifactType.prefix(100))' is malformed")
        }

        if MediaType.indexes.contains(mediaType) {
            guard let manifests = raw.manifests else {
                throw OCIError(.manifestInvalid, "an index must have a manifests array")
            }
            guard raw.config == nil, raw.layers == nil else {
                throw OCIError(.manifestInvalid, "an index must not have config or layers")
            }
            for (i, child) in manifests.enumerated() { try child.validate("manifests[\(i)]") }
            return ParsedManifest(kind: .index, mediaType: mediaType, artifactType: raw.artifactType,
                                  subject: raw.subject, annotations: raw.annotations, config: nil,
                                  layers: [], manifests: manifests)
        }

        guard let config = raw.config else {
            throw OCIError(.manifestInvalid, "an image manifest must have a config descriptor")
        }
        guard raw.manifests == nil else {
            throw OCIError(.manifestInvalid, "an image manifest must not have a manifests array")
        }
        try config.validate("config")
        let layers = raw.layers ?? []
        if raw.layers == nil, mediaType == MediaType.dockerManifest {
            throw OCIError(.manifestInvalid, "a Docker image manifest must have a layers array")
        }
        for (i, layer) in layers.enumerated() { try layer.validate("layers[\(i)]") }
        return ParsedManifest(kind: .image, mediaType: mediaType,
                              artifactType: raw.artifactType ?? config.mediaType,
                              subject: raw.subject, annotations: raw.annotations, config: config,
                              layers: layers, manifests: [])
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let c): return c.debugDescription + Self.path(c.codingPath)
        case .keyNotFound(let key, let c): return "missing '\(key.stringValue)'" + Self.path(c.codingPath)
        case .typeMismatch(_, let c): return "wrong type" + Self.path(c.codingPath)
        case .valueNotFound(_, let c): return "null value" + Self.path(c.codingPath)
        @unknown default: return "undecodable"
        }
    }

    private static func path(_ p: [any CodingKey]) -> String {
        p.isEmpty ? "" : " at " + p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The union of the image manifest and index shapes; `ParsedManifest.parse` decides which it is.
private struct RawManifest: Decodable {
    var schemaVersion: Int?
    var mediaType: String?
    var artifactType: String?
    var config: Descriptor?
    var layers: [Descriptor]?
    var manifests: [Descriptor]?
    var subject: Descriptor?
    var annotations: [String: String]?
}

/// A manifest to serialise (used by clients and tests that build images).
public struct ImageManifest: Codable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.ociManifest
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociManifest, artifactType: String? = nil, config: Descriptor,
                layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }
}

/// An image index to serialise or read.
public struct ImageIndex: Codable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.ociIndex
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

extension Encodable {
    /// Canonical-enough JSON (sorted keys, no escaped slashes) so the digest of what we build is
    /// stable across runs.
    public func canonicalJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}
