import Foundation
import Matching

/// What happened to an image in a registry the defender watches (from the registry's own events,
/// or from reconciling with its contents on start).
public struct ImageEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case push, `import`, delete, untag, pull, reconcile }

    public var kind: Kind
    public var registry: String
    public var repository: String
    public var digest: String
    public var tag: String?
    public var mediaType: String?
    /// The manifests an index lists.
    public var children: [String]
    public var time: Double

    public init(kind: Kind, registry: String = DefenderConfiguration.localRegistry, repository: String, digest: String,
                tag: String? = nil, mediaType: String? = nil, children: [String] = [], time: Double) {
        self.kind = kind
        self.registry = registry
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.mediaType = mediaType
        self.children = children
        self.time = time
    }

    var isIndex: Bool {
        guard let mediaType else { return !children.isEmpty }
        return mediaType.contains("image.index") || mediaType.contains("manifest.list")
    }
}

/// Where an image's scan stands. The raw values are the API's `scanStatus` words.
public enum ScanStatus: String, Codable, Sendable, CaseIterable {
    case queued, running, completed, failed
    case blockedByNetworkRules = "blocked-by-network-rules"
    case noDatabase = "no-database"
}

/// A finding's place in the image's history.
public enum FindingState: String, Codable, Sendable, CaseIterable {
    case open, resolved, exempted
}

/// One image as the defender keeps it.
public struct ImageRecord: Sendable {
    public var id: Int
    public var registry: String
    public var repository: String
    public var digest: String
    public var mediaType: String?
    public var children: [String]
    public var partOf: String?
    public var pushedAt: Double
    public var lastPulledAt: Double?
    public var trigger: String
    public var status: ScanStatus
    public var statusMessage: String?
    public var scannedAt: Double?
    public var evaluatedAt: Double?
    public var databaseBuiltAt: Double?
    /// The manifest digests whose inventories make up this image (one per platform).
    public var inventories: [String]
    /// The analyzers' fingerprint when the inventories were made (a newer Drydock rescans).
    public var analyzers: String?
    public var deletedAt: Double?

    /// Pushed or pulled within the window: what the continuous re-evaluation covers.
    public func isActive(now: Double, window: Double) -> Bool {
        max(pushedAt, lastPulledAt ?? 0) >= now - window
    }
}

/// A finding as stored for one image, with its history.
public struct StoredFinding: Sendable, Codable {
    public var key: String
    public var finding: Finding
    public var state: FindingState
    public var firstSeen: Double
    public var lastSeen: Double
    public var resolvedAt: Double?
    public var resolvedBy: String?
    /// The exemption in force that covers it (state `exempted`).
    public var exemptionID: Int?

    static func key(_ finding: Finding) -> String {
        "\(finding.vulnerabilityID)|\(finding.package.ecosystem)|\(finding.package.name)|\(finding.package.location)"
    }
}

/// A job of the durable queue, as claimed by a worker.
public struct ScanJob: Sendable {
    public var imageID: Int
    public var attempts: Int
    public var trigger: String
    /// Proves this worker still holds the job: a worker whose lease ran out cannot finish or
    /// requeue the job another worker took over.
    public var leaseToken: String
}

public struct DefenderError: Error, Sendable, CustomStringConvertible {
    /// `unreachable`: another server (an enrolled registry) failed or refused the defender.
    public enum Kind: Sendable { case invalid, notFound, conflict, unreachable }
    public let kind: Kind
    public let description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
