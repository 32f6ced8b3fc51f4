import Crypto
import Foundation

/// A receiver of the defender's events: a URL, the events it wants, and the secret its bodies
/// are signed with (never shown again once stored).
public struct Webhook: Sendable, Codable, Equatable {
    public var id: Int
    public var url: String
    public var events: [String]
    public var createdBy: String
    public var createdAt: Double
    public var secret: String

    public func wants(_ event: WebhookEvent) -> Bool { events.contains(event.rawValue) }
}

/// What the defender tells receivers about.
public enum WebhookEvent: String, Sendable, CaseIterable, Codable {
    case scanCompleted = "scan.completed"
    case scanFailed = "scan.failed"
    case findingNew = "finding.new"
    case findingResolved = "finding.resolved"
    case imageUnhealthy = "image.unhealthy"
    case imageHealthy = "image.healthy"

    static let list = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Signing: `X-Drydock-Signature: sha256=HEX` where HEX is the HMAC-SHA256, keyed with the
/// webhook's secret, of `TIMESTAMP.BODY` (the `X-Drydock-Timestamp` header, a dot, the body's
/// bytes). Receivers recompute it, compare in constant time, and refuse old timestamps.
public enum WebhookSignature {
    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// The JSON body of one event. Field names are part of the interface: `id`, `event`,
/// `createdAt`, `registry`, `repository`, `digest`, `tags`, and per event `scanStatus`,
/// `statusMessage`, `counts`, `healthy`, `findings` ({`vulnerabilityID`, `severity`,
/// `package`, `version`, `location`, `fixedVersion`, `resolvedBy`}).
struct WebhookPayload: Encodable {
    struct FindingSummary: Encodable {
        var vulnerabilityID: String
        var severity: String
        var package: String
        var version: String
        var location: String
        var fixedVersion: String?
        var resolvedBy: String?
    }
    var id: String
    var event: String
    var createdAt: String
    var registry: String
    var repository: String
    var digest: String
    var tags: [String]
    var scanStatus: String?
    var statusMessage: String?
    var counts: [String: Int]?
    var healthy: Bool?
    var findings: [FindingSummary]?

    func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
