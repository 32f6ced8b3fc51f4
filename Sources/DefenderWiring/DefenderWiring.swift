import Access
import Defender
import Foundation
import Logging
import OCI
import RegistryServer
import RegistryStorage
import ServiceLifecycle

/// DefenderWiring: puts a `Defender` beside a `RegistryServer` in one process. The defender
/// hears the store's events (pushes, imports, deletes, untags, pulls), can list the store's
/// contents to catch up after a restart, answers the admin API's `/admin/defender`,
/// `/admin/findings`, `/admin/vulndb`, `/admin/exemptions`, `/admin/usage` and `/admin/webhooks`
/// and the Harbor scanner API at `/api/v1/`, and is told when the network rules change. It pulls
/// images through the server's own listener like any client; nothing here lets it around the
/// access gate.
///
/// Used by `drydock serve` and by the tests, so both run the same assembly.
public enum DefenderWiring {
    /// Adds the defender to a server configuration. Call before the server starts: the event
    /// subscription is made here, so no event published after this call is missed.
    public static func attach(_ defender: Defender, store: RegistryStore, to configuration: inout RegistryServer.Configuration) {
        let events = store.events.subscribe()
        let api = DefenderAPI(defender: defender)
        for group in DefenderAPI.groups {
            configuration.adminExtensions[group] = { call in
                do {
                    let reply = try await api.handle(group: group, method: call.method, path: call.path, query: call.query,
                                                     identity: call.identity.isEmpty ? "anonymous" : call.identity, body: call.body, saveBody: call.saveBody)
                    return AdminReply(status: reply.status, json: reply.json)
                } catch let error as DefenderError {
                    switch error.kind {
                    case .invalid: throw AdminCallError(status: 400, code: "INVALID_REQUEST", error.description)
                    case .notFound: throw AdminCallError(status: 404, code: "NOT_FOUND", error.description)
                    case .conflict: throw AdminCallError(status: 409, code: "CONFLICT", error.description)
                    case .unreachable: throw AdminCallError(status: 502, code: "REGISTRY_UNREACHABLE", error.description)
                    }
                }
            }
        }
        let adapter = HarborScannerAPI(defender: defender)
        configuration.scannerAdapter = { call in
            let reply = await adapter.handle(method: call.method, path: call.path, accept: call.accept, body: call.body)
            return AdminReply(status: reply.status, json: reply.body, contentType: reply.contentType, headers: reply.headers)
        }
        configuration.onNetworkRulesChanged = { await defender.networkRulesChanged() }
        let metadata = store.metadata
        defender.setContentsProvider { try await contents(of: metadata) }
        configuration.services.append(EventPump(events: events, defender: defender))
        configuration.services.append(defender)
    }

    /// The defender's registry endpoint for a server configuration: its first public listener
    /// (a wildcard address reached over loopback), the `defender` identity's credentials and the
    /// token endpoint, when access control is on.
    public static func endpoint(for configuration: RegistryServer.Configuration, access: AccessController?,
                                port: Int? = nil) -> DefenderConfiguration.RegistryEndpoint {
        let listener = configuration.listeners.first
        var host = listener?.host ?? "127.0.0.1"
        if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        if host == "::" { host = "::1" }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let address = "\(host):\(port ?? listener?.port ?? 5000)"
        let scheme = configuration.tls == nil ? "http" : "https"
        return DefenderConfiguration.RegistryEndpoint(
            address: address, plainHTTP: configuration.tls == nil,
            credentials: access.map { .init(username: Identity.defenderName, password: $0.defenderPassword) },
            tokenRealm: access.map { _ in "\(scheme)://\(address)/token" }, tokenService: access?.configuration.service,
            skipTLSVerify: configuration.tls != nil)
    }

    /// Every manifest and tag of the store, as the events that would have announced them.
    static func contents(of metadata: any MetadataStore) async throws -> [ImageEvent] {
        let manifests = try await metadata.allManifests()
        let tags = try await metadata.allTags()
        var tagged: [String: [String]] = [:]
        for tag in tags { tagged["\(tag.repository)@\(tag.digest)", default: []].append(tag.tag) }
        var events: [ImageEvent] = []
        for manifest in manifests where !RegistryEvent.isArtifact(artifactType: manifest.artifactType, subject: manifest.subject) {
            var children: [String] = []
            if manifest.mediaType == MediaType.ociIndex || manifest.mediaType == MediaType.dockerManifestList {
                children = try await metadata.references(repository: manifest.repository, manifest: manifest.digest)
                    .filter { $0.kind == .manifest }.map(\.child.description)
            }
            let names = tagged["\(manifest.repository)@\(manifest.digest)"] ?? []
            for tag in names.isEmpty ? [nil] : names.map(Optional.some) {
                events.append(ImageEvent(kind: .reconcile, repository: manifest.repository, digest: manifest.digest.description, tag: tag,
                                         mediaType: manifest.mediaType, children: children,
                                         time: manifest.createdAt > 0 ? manifest.createdAt : Date().timeIntervalSince1970))
            }
            if manifest.lastPulledAt != nil, let pulled = manifest.lastPulledAt {
                events.append(ImageEvent(kind: .pull, repository: manifest.repository, digest: manifest.digest.description, time: pulled))
            }
        }
        // Indexes after their platforms (so the index claims them), pulls last (so the images
        // they are about exist).
        func rank(_ event: ImageEvent) -> Int { event.kind == .pull ? 2 : (event.children.isEmpty ? 0 : 1) }
        return events.sorted { rank($0) < rank($1) }
    }

    /// Which registry events the defender hears, and as what.
    static func imageEvent(_ event: RegistryEvent) -> ImageEvent? {
        let kind: ImageEvent.Kind
        switch event.action {
        case .push: kind = .push
        case .import: kind = .import
        case .delete: kind = .delete
        case .untag: kind = .untag
        case .pull: kind = .pull
        }
        return ImageEvent(kind: kind, repository: event.repository, digest: event.digest.description, tag: event.tag,
                          mediaType: event.mediaType, children: event.children.map(\.description), time: event.time)
    }
}

/// Hands the registry's events to the defender, in order, as they come.
struct EventPump: Service {
    let events: AsyncStream<RegistryEvent>
    let defender: Defender

    func run() async throws {
        let logger = Logger(label: "drydock.defender.events")
        await cancelWhenGracefulShutdown {
            for await event in events {
                // Artifacts (signatures, SBOMs attached with `subject`) are not images to scan.
                guard !event.isArtifact, let image = DefenderWiring.imageEvent(event) else { continue }
                do { try await defender.handle(image) } catch {
                    logger.warning("could not record a registry event", metadata: ["event": "\(event.action.rawValue) \(event.repository)@\(event.digest)",
                                                                                   "error": "\(error)"])
                }
            }
        }
    }
}
