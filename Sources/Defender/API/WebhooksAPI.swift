import Foundation

/// `/admin/webhooks`: receivers of the defender's events and their delivery log. A webhook's
/// secret goes in once and is never answered back.
struct WebhooksAPI {
    let defender: Defender

    struct WebhookView: Encodable {
        var id: Int
        var url: String
        var events: [String]
        var createdBy: String
        var createdAt: String

        init(_ webhook: Webhook) {
            id = webhook.id
            url = webhook.url
            events = webhook.events
            createdBy = webhook.createdBy
            createdAt = Time.iso(webhook.createdAt)
        }
    }
    struct ListView: Encodable { var webhooks: [WebhookView] }

    struct DeliveryView: Encodable {
        var id: Int
        var webhookID: Int
        var event: String
        var state: String
        var attempts: Int
        var createdAt: String
        var nextAttemptAt: String?
        var deliveredAt: String?
        var lastStatus: Int?
        var lastResponse: String?
        var lastError: String?
    }
    struct DeliveriesView: Encodable { var deliveries: [DeliveryView] }

    func list() async throws -> ListView {
        ListView(webhooks: try await defender.store.webhooks().map(WebhookView.init))
    }

    func create(_ fields: [String: Any], identity: String) async throws -> WebhookView {
        guard let url = fields["url"] as? String, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host?.isEmpty == false, url.count <= 2000 else {
            throw DefenderError(.invalid, "url must be an http or https URL")
        }
        guard let events = fields["events"] as? [String], !events.isEmpty else {
            throw DefenderError(.invalid, "events must list one or more of \(WebhookEvent.list)")
        }
        for event in events where WebhookEvent(rawValue: event) == nil {
            throw DefenderError(.invalid, "unknown event '\(event.prefix(40))' (use \(WebhookEvent.list))")
        }
        guard let secret = fields["secret"] as? String, secret.count >= 16, secret.count <= 1024 else {
            throw DefenderError(.invalid, "secret must be 16 to 1024 characters (receivers check the signature with it)")
        }
        let webhook = try await defender.store.addWebhook(url: url, events: Array(Set(events)).sorted(), secret: secret, by: identity,
                                                          now: defender.now)
        defender.logger.notice("webhook added", metadata: ["id": "\(webhook.id)", "url": "\(url)", "by": "\(identity)"])
        return WebhookView(webhook)
    }

    func remove(_ idText: String, identity: String) async throws -> ListView {
        guard let id = Int(idText) else { throw DefenderError(.invalid, "'\(idText.prefix(40))' is not a webhook ID") }
        guard try await defender.store.removeWebhook(id: id, now: defender.now) else { throw DefenderError(.notFound, "no webhook \(id)") }
        defender.logger.notice("webhook removed", metadata: ["id": "\(id)", "by": "\(identity)"])
        return try await list()
    }

    func deliveries(webhook idText: String?) async throws -> DeliveriesView {
        var id: Int?
        if let idText {
            guard let value = Int(idText) else { throw DefenderError(.invalid, "'\(idText.prefix(40))' is not a webhook ID") }
            id = value
        }
        return DeliveriesView(deliveries: try await defender.store.deliveries(webhookID: id).map {
            DeliveryView(id: $0.id, webhookID: $0.webhookID, event: $0.event, state: $0.state, attempts: $0.attempts,
                         createdAt: Time.iso($0.createdAt), nextAttemptAt: $0.nextAttemptAt.map(Time.iso),
                         deliveredAt: $0.deliveredAt.map(Time.iso), lastStatus: $0.lastStatus, lastResponse: $0.lastResponse,
                         lastError: $0.lastError)
        })
    }
}
