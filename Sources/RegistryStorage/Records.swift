import OCI

/// A stored manifest as the metadata store knows it (the bytes are in the blob store).
public struct ManifestRecord: Sendable, Equatable {
    public var repository: String
    public var digest: Digest
    public var mediaType: String
    public var size: Int64
    public var artifactType: String?
    public var subject: Digest?
    public var annotations: [String: String]?
    public var createdAt: Double
    public var lastPulledAt: Double?
}

public struct TagRecord: Sendable, Equatable {
    public var repository: String
    public var tag: String
    public var digest: Digest
    public var updatedAt: Double
    public var lastPulledAt: Double?
}

public struct UploadRecord: Sendable, Equatable {
    public var id: String
    public var repository: String
    public var startedAt: Double
    public var updatedAt: Double
}

/// What a manifest points at, recorded so deletes, gc and fsck need no re-parsing.
public struct ManifestReferenceRecord: Sendable, Equatable {
    public enum Kind: String, Sendable { case blob, manifest }
    public var child: Digest
    public var kind: Kind
}

/// One pull to remember (a manifest fetched by GET, by tag or by digest).
public struct PullRecord: Sendable, Hashable {
    public var repository: String
    public var digest: Digest
    public var tag: String?
    public var time: Double
}
