import Foundation

/// `/admin/defender/scanners`: the external scanners (Harbor scanner API adapters) the defender
/// sends images to, and which subscriptions use them. An adapter's credentials go in once and
/// are never answered back.
struct ScannersAPI {
    let defender: Defender

    struct ScannerView: Encodable {
        var name: String
        var url: String
        var createdBy: String
        var createdAt: String
    }
    struct ListView: Encodable {
        var scanners: [ScannerView]
        /// Per subscription: `builtin`, `external` (the external scanners alone) or `both`.
        var modes: [String: String]
    }

    func list() async throws -> ListView {
        var modes: [String: String] = [:]
        for subscription in try await defender.store.subscriptions() {
            modes[subscription.name] = try await defender.store.scannerMode(subscription: subscription.name)
        }
        return ListView(scanners: try await defender.store.scanners().map {
            ScannerView(name: $0.name, url: $0.url, createdBy: $0.createdBy, createdAt: Time.iso($0.createdAt))
        }, modes: modes)
    }

    func add(_ fields: [String: Any], identity: String) async throws -> ListView {
        guard let name = fields["name"] as? String, name.range(of: "^[a-z0-9][a-z0-9._-]{0,63}$", options: .regularExpression) != nil,
              name != "drydock" else {
            throw DefenderError(.invalid, "name must be 1-64 lower-case letters, digits, '.', '_' or '-' (and not 'drydock')")
        }
        guard let url = fields["url"] as? String, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host?.isEmpty == false else {
            throw DefenderError(.invalid, "url must be the adapter's http or https base URL (…/api/v1)")
        }
        var authorization: String?
        if let value = fields["authorization"] {
            guard let text = value as? String, text.hasPrefix("Basic ") || text.hasPrefix("Bearer "), text.count <= 4096 else {
                throw DefenderError(.invalid, "authorization must be an 'Authorization' value: 'Basic …' or 'Bearer …'")
            }
            authorization = text
        }
        try await defender.store.addScanner(.init(name: name, url: url, authorization: authorization, createdBy: identity, createdAt: defender.now))
        defender.logger.notice("external scanner added", metadata: ["name": "\(name)", "url": "\(url)", "by": "\(identity)"])
        return try await list()
    }

    func remove(_ name: String, identity: String) async throws -> ListView {
        guard try await defender.store.removeScanner(name: name) else { throw DefenderError(.notFound, "no scanner '\(name.prefix(64))'") }
        defender.logger.notice("external scanner removed", metadata: ["name": "\(name)", "by": "\(identity)"])
        return try await list()
    }

    func use(_ fields: [String: Any], identity: String) async throws -> ListView {
        let subscription = fields["subscription"] as? String ?? DefenderConfiguration.defaultSubscription
        guard try await defender.store.subscriptions().contains(where: { $0.name == subscription }) else {
            throw DefenderError(.notFound, "no subscription '\(subscription.prefix(100))'")
        }
        guard let mode = fields["mode"] as? String, ["builtin", "external", "both"].contains(mode) else {
            throw DefenderError(.invalid, "mode must be builtin (Drydock alone), external (the external scanners alone) or both")
        }
        let previous = try await defender.store.scannerMode(subscription: subscription)
        try await defender.store.setScannerMode(subscription: subscription, mode)
        if previous != mode {
            // The subscription's images are scanned again the new way (their findings follow).
            try await defender.rescanSubscription(subscription)
        }
        defender.logger.notice("scanners of a subscription changed", metadata: ["subscription": "\(subscription)", "mode": "\(mode)", "by": "\(identity)"])
        return try await list()
    }
}
