import Foundation
import OCI
import RegistryClient

/// The envelope CNCF Distribution posts to its notification endpoints
/// (`application/vnd.docker.distribution.events.v1+json`, `…v2+json` in newer releases); Drydock's
/// own `serve --notify` sends the same shape. Only the fields the defender reads are decoded;
/// everything else in an event is ignored, as Distribution's docs ask of endpoints.
struct NotificationEnvelope: Decodable {
    struct Event: Decodable {
        struct Target: Decodable {
            var mediaType: String?
            var digest: String?
            var repository: String?
            var tag: String?
        }
        struct Request: Decodable {
            var useragent: String?
        }
        var action: String?
        var target: Target?
        var request: Request?
    }
    var events: [Event]
}

extension Defender {
    /// What a notification request brought.
    public struct NotificationResult: Sendable, Encodable {
        /// Events in the envelope.
        public var received: Int
        /// Events about images (manifest pushes, pulls and deletes, tag deletes); the rest
        /// (blobs, mounts, the defender's own pulls) are ignored.
        public var used: Int
    }

    /// Takes a notification envelope an enrolled registry posted: pushes are queued for a scan,
    /// pulls keep images inside the re-evaluation window, deletes remove them. Times are when
    /// the notification arrived, not the registry's clock (another machine's clock can be off).
    public func receiveNotifications(registry name: String, body: Data) async throws -> NotificationResult {
        guard let settings = try await store.registry(named: name), !settings.isLocal else {
            throw DefenderError(.notFound, "no enrolled registry '\(name.prefix(100))' (the local registry's events need no endpoint)")
        }
        let envelope: NotificationEnvelope
        do { envelope = try JSONDecoder().decode(NotificationEnvelope.self, from: body) } catch {
            throw DefenderError(.invalid, "the body is not a registry notification envelope ({\"events\": [...]}): \(Self.decodingProblem(error))")
        }
        guard envelope.events.count <= 10_000 else { throw DefenderError(.invalid, "an envelope carries at most 10000 events") }
        let received = now
        var used = 0
        for event in envelope.events {
            guard let image = Self.imageEvent(event, registry: name, time: received) else { continue }
            used += 1
            if image.kind == .push && image.isIndex {
                // An index's platforms are not in the event: read them from the registry, off the
                // request (the registry waits for our answer, and polling catches up on failure).
                Task { await self.handleIndexPush(image, settings: settings) }
            } else {
                try await handle(image)
            }
        }
        try await store.recordContact(registry: name, .event, now: now)
        return NotificationResult(received: envelope.events.count, used: used)
    }

    private func handleIndexPush(_ event: ImageEvent, settings: DefenderStore.RegistrySettings) async {
        do {
            let client = try self.client(for: settings)
            defer { Task { await client.shutdown() } }
            let manifest = try await client.manifest(try RepositoryName(event.repository), reference: .digest(try Digest(event.digest)))
            var complete = event
            complete.children = try ParsedManifest.parse(manifest.bytes, contentType: manifest.mediaType).manifests.map(\.digest.description)
            try await handle(complete)
        } catch {
            logger.notice("could not read a pushed index from an enrolled registry; the next listing finds it",
                          metadata: ["registry": "\(settings.name)", "repository": "\(event.repository)", "error": "\(error)"])
        }
    }

    /// An event about an image, or nil for anything else (layer blobs, mounts, malformed names,
    /// and the pulls of a defender — this one or another Drydock's — which must not keep an
    /// image inside the window).
    static func imageEvent(_ event: NotificationEnvelope.Event, registry: String, time: Double) -> ImageEvent? {
        guard let action = event.action, let target = event.target, let repository = target.repository,
              (try? RepositoryName(repository)) != nil else { return nil }
        let mediaType = target.mediaType.map(MediaType.essence)
        let digest = target.digest.flatMap { try? Digest($0) }?.description
        let tag = target.tag.flatMap { (try? Tag($0)) != nil ? $0 : nil }
        let isManifest = mediaType.map(MediaType.manifests.contains) ?? false
        switch action {
        case "push":
            guard isManifest, let digest else { return nil }
            return ImageEvent(kind: .push, registry: registry, repository: repository, digest: digest, tag: tag, mediaType: mediaType, time: time)
        case "pull":
            // Drydock's pull events name no media type (they are only ever about manifests).
            guard isManifest || mediaType == nil, let digest, !(event.request?.useragent?.hasPrefix("drydock-defender") ?? false) else { return nil }
            return ImageEvent(kind: .pull, registry: registry, repository: repository, digest: digest, time: time)
        case "delete":
            // Distribution names only the digest and repository of a deleted manifest (or blob:
            // a blob digest matches no image, so recording it changes nothing), and only the tag
            // of a deleted tag.
            if let digest { return ImageEvent(kind: .delete, registry: registry, repository: repository, digest: digest, time: time) }
            if let tag { return ImageEvent(kind: .untag, registry: registry, repository: repository, digest: "", tag: tag, time: time) }
            return nil
        default:
            return nil
        }
    }

    static func decodingProblem(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
