import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OCI
import RegistryStorage
import ServiceLifecycle
import Synchronization

/// Where `serve --notify` posts the registry's events, and with which headers.
public struct NotificationEndpoint: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    /// How long the receiver has to answer one envelope.
    public var timeout: Double = 10
    /// The first wait after a failed delivery (doubling up to a minute).
    public var backoff: Double = 1
    /// Events kept while the receiver is down; past this the oldest are dropped (a receiver that
    /// also lists the registry, as the defender does, catches up with what it missed).
    public var queueLimit = 100_000

    /// - Parameter headers: `Name: value` lines.
    public init(url: String, headers: [String] = []) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host?.isEmpty == false else {
            throw RegistryNotifierError("\(url.prefix(200)) is not an http or https URL")
        }
        self.url = url
        self.headers = try headers.map { line in
            guard let colon = line.firstIndex(of: ":") else { throw RegistryNotifierError("a header must be 'Name: value', not '\(line.prefix(40))…'") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                  !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw RegistryNotifierError("'\(name.prefix(40))' is not a valid header")
            }
            return (name, value)
        }
    }
}

public struct RegistryNotifierError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Posts the registry's events to a notification endpoint in CNCF Distribution's envelope
/// (`{"events": [...]}`, `application/vnd.docker.distribution.events.v1+json`), so what was
/// written for Distribution's notifications — another Drydock's defender, an audit pipeline —
/// hears of Drydock's pushes, pulls and deletes. Like Distribution, it keeps undelivered events
/// in memory and retries until the receiver takes them, one envelope at a time; the registry
/// never waits for the receiver.
public final class RegistryNotifier: Service, Sendable {
    let events: AsyncStream<RegistryEvent>
    let endpoint: NotificationEndpoint
    let logger: Logger
    private let pending = Mutex<[RegistryEvent]>([])
    private let instanceID = UUID().uuidString.lowercased()
    private let wake: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation

    public init(events: AsyncStream<RegistryEvent>, endpoint: NotificationEndpoint, logger: Logger) {
        self.events = events
        self.endpoint = endpoint
        self.logger = logger
        (wake, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await event in self.events where !event.isArtifact { self.enqueue(event) }
                }
                self.waker.finish()
            }
            group.addTask {
                // Stopping the server stops retries too (the queue is in memory, as Distribution's is).
                await cancelWhenGracefulShutdown {
                    for await _ in self.wake { await self.deliverPending() }
                }
            }
        }
    }

    private func enqueue(_ event: RegistryEvent) {
        let dropped = pending.withLock { queue -> Bool in
            queue.append(event)
            guard queue.count > endpoint.queueLimit else { return false }
            queue.removeFirst(queue.count - endpoint.queueLimit)
            return true
        }
        if dropped { logger.warning("notification queue full: the oldest events were dropped", metadata: ["url": "\(endpoint.url)"]) }
        // One wake-up is kept while the sender is busy: it takes everything queued when it looks.
        waker.yield()
    }

    /// Sends everything queued, an envelope of at most 100 events at a time, each until taken.
    private func deliverPending() async {
        var delay = endpoint.backoff
        while !Task.isCancelled {
            let batch = pending.withLock { Array($0.prefix(100)) }
            guard !batch.isEmpty else { return }
            if await post(batch) {
                pending.withLock { $0.removeFirst(min(batch.count, $0.count)) }
                delay = endpoint.backoff
            } else {
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(60, delay * 2)
            }
        }
    }

    private func post(_ batch: [RegistryEvent]) async -> Bool {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/vnd.docker.distribution.events.v1+json")
        request.headers.add(name: "User-Agent", value: "drydock-notifications")
        for (name, value) in endpoint.headers { request.headers.add(name: name, value: value) }
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["events": batch.map(envelopeEvent)])))
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(endpoint.timeout * 1000)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            // Distribution counts any 2xx or 3xx answer as delivered.
            guard (200..<400).contains(response.status.code) else {
                logger.warning("notification receiver refused events", metadata: ["url": "\(endpoint.url)", "status": "\(response.status.code)"])
                return false
            }
            return true
        } catch {
            logger.warning("notification receiver unreachable", metadata: ["url": "\(endpoint.url)", "error": "\(error)"])
            return false
        }
    }

    /// One event as Distribution writes it: a tag removal is a `delete` naming only the tag, an
    /// import is a `push`.
    private func envelopeEvent(_ event: RegistryEvent) -> [String: Any] {
        var target: [String: Any] = ["repository": event.repository]
        let action: String
        switch event.action {
        case .push, .import: action = "push"
        case .pull: action = "pull"
        case .delete: action = "delete"
        case .untag: action = "delete"
        }
        if event.action == .untag {
            target["tag"] = event.tag ?? ""
        } else {
            target["digest"] = event.digest.description
            if let tag = event.tag { target["tag"] = tag }
            if let mediaType = event.mediaType { target["mediaType"] = mediaType }
        }
        return [
            "id": UUID().uuidString.lowercased(),
            "timestamp": Self.timestamp(event.time),
            "action": action,
            "target": target,
            "request": ["method": event.action == .pull ? "GET" : (event.action == .push || event.action == .import ? "PUT" : "DELETE")],
            "actor": [String: String](),
            "source": ["addr": ProcessInfo.processInfo.hostName, "instanceID": instanceID],
        ]
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp(_ time: Double) -> String { style.format(Date(timeIntervalSince1970: time)) }
}
