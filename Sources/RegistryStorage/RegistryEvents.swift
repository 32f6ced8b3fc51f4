import Foundation
import OCI
import Synchronization

/// Something that happened to the registry's content, told to whoever listens (the defender,
/// later webhooks). Events are published after the change is committed, so a listener that
/// reads the registry on hearing one sees the change.
public struct RegistryEvent: Sendable, Equatable {
    public enum Action: String, Sendable {
        /// A manifest was stored (by tag or by digest); `tag` names the tag it was pushed under.
        case push
        /// A manifest was copied in from another registry by `drydock import`.
        case `import`
        /// A manifest (and every tag pointing at it) was deleted.
        case delete
        /// A tag was removed; the manifest stays.
        case untag
        /// A manifest was pulled (GET) by a client other than Drydock's own services.
        case pull
    }

    public var action: Action
    public var repository: String
    public var digest: Digest
    public var tag: String?
    public var mediaType: String?
    /// For an index: the manifests it lists.
    public var children: [Digest]
    /// An artifact (it has an `artifactType` or a `subject`: a signature, an SBOM), not an image.
    public var isArtifact: Bool
    /// Seconds since 1970.
    public var time: Double

    public init(action: Action, repository: String, digest: Digest, tag: String? = nil, mediaType: String? = nil,
                children: [Digest] = [], isArtifact: Bool = false, time: Double = Date().timeIntervalSince1970) {
        self.action = action
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.mediaType = mediaType
        self.children = children
        self.isArtifact = isArtifact
        self.time = time
    }
}

extension RegistryEvent {
    /// Whether a stored manifest is an image or an index of images, as opposed to an artifact:
    /// a manifest with a subject (a signature, an attached SBOM) or whose artifact type (for an
    /// image manifest: its config's media type) is not an image config.
    public static func isArtifact(artifactType: String?, subject: Digest?) -> Bool {
        guard subject == nil else { return true }
        guard let artifactType else { return false }
        return artifactType != "application/vnd.oci.image.config.v1+json"
            && artifactType != "application/vnd.docker.container.image.v1+json"
    }
}

/// Fans registry events out to subscribers. Publishing never waits: each subscriber gets an
/// unbounded stream, because losing a push event would leave an image unscanned (subscribers
/// that can fall behind also reconcile against the store when they start).
public final class RegistryEventHub: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<RegistryEvent>.Continuation]>([:])

    public init() {}

    /// A stream of every event published from now on, until the stream is dropped.
    public func subscribe() -> AsyncStream<RegistryEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: RegistryEvent.self, bufferingPolicy: .unbounded)
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    public var hasSubscribers: Bool { subscribers.withLock { !$0.isEmpty } }

    public func publish(_ event: RegistryEvent) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }

    /// Ends every subscriber's stream (the server is stopping).
    public func finish() {
        let targets = subscribers.withLock { all in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
