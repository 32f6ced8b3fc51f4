import Access
import Logging
import Defender
import Foundation
import RegistryServer

/// `/ui/settings` (admins only): the settings an admin changes most — scanning plans, network
/// rules, exemptions, webhooks (with their latest deliveries), tokens. Each change goes through the same calls as its CLI twin (the
/// defender's admin API, the access controller) and is written to the server log with who made it.
struct SettingsPage {
    let dashboard: Dashboard
    let viewer: Dashboard.Viewer

    struct Model {
        struct Subscription { var name: String; var registries: String; var plan: String; var toggleValue: String; var toggleLabel: String }
        struct ExemptionRow {
            var id: Int
            var vulnerability: String
            var package: String
            var repository: String
            var maxSeverity: String
            var expires: String
            var justification: String
            var createdBy: String
        }
        struct TokenRow { var name: String; var scopes: String; var state: String; var expires: String; var action: String; var actionLabel: String }
        struct CreatedToken { var name: String; var password: String }
        struct WebhookRow { var id: Int; var url: String; var events: String; var createdBy: String }
        struct DeliveryRow { var id: Int; var webhook: Int; var event: String; var state: String; var attempts: Int; var last: String; var created: String }
        var page: PageFrame
        var csrf: String
        var createdToken: CreatedToken?
        var subscriptions: [Subscription]
        var publicAccessOptions: [Option]
        var defaultActionOptions: [Option]
        var trustedOptions: [Option]
        var anonymousOptions: [Option]
        var ipRules: [String]
        var exemptions: [ExemptionRow]
        var webhooks: [WebhookRow]
        var hasDeliveries: Bool
        var deliveries: [DeliveryRow]
        var tokens: [TokenRow]
    }

    /// Fixed messages for `?done=` after a change (the page never echoes request text as a notice).
    static let notices = [
        "plan": "The scanning plan was changed.", "network": "The network rules were saved.",
        "rule-added": "The address range was added.", "rule-removed": "The address range was removed.",
        "exemption-added": "The exemption was added.", "exemption-removed": "The exemption was removed.",
        "token-changed": "The token was changed.", "token-deleted": "The token was deleted.",
        "webhook-added": "The webhook was added.", "webhook-removed": "The webhook was removed.",
    ]

    func build(query: [String: String], created: Model.CreatedToken? = nil, error: String? = nil) async throws -> Model {
        let status = try await dashboard.data.status()
        let exemptions = try await dashboard.defender.store.exemptions(includeInactive: false, now: dashboard.defender.now)
        let rules = dashboard.access.networkRules
        let deliveries = try await dashboard.defender.store.deliveries(webhookID: nil, limit: 20)
        return Model(
            page: dashboard.frame(viewer, title: "Settings", section: "settings", notice: query["done"].flatMap { Self.notices[$0] }, error: error),
            csrf: viewer.session.csrf, createdToken: created,
            subscriptions: status.subscriptions.map {
                .init(name: $0.name, registries: $0.registries.map(\.name).joined(separator: ", "), plan: $0.plan,
                      toggleValue: $0.plan == "enabled" ? "false" : "true", toggleLabel: $0.plan == "enabled" ? "Disable scanning" : "Enable scanning")
            },
            publicAccessOptions: Option.list([("enabled", "enabled"), ("disabled", "disabled (private endpoints only)")],
                                             selected: rules.publicAccess ? "enabled" : "disabled"),
            defaultActionOptions: Option.list([("allow", "allow"), ("deny", "deny")], selected: rules.defaultAction.rawValue),
            trustedOptions: Option.list([("on", "allowed"), ("off", "not allowed")], selected: rules.trustedServices ? "on" : "off"),
            anonymousOptions: Option.list([("off", "off"), ("on", "on")], selected: rules.anonymousPull ? "on" : "off"),
            ipRules: rules.ipRules,
            exemptions: exemptions.map {
                .init(id: $0.id, vulnerability: $0.vulnerability ?? "any", package: $0.package ?? $0.purl ?? "any", repository: $0.repository ?? "any",
                      maxSeverity: $0.maxSeverity ?? "any", expires: $0.expiresAt.map { Format.time(Time.iso($0)) } ?? "never",
                      justification: $0.justification, createdBy: $0.createdBy)
            },
            webhooks: try await dashboard.defender.store.webhooks().map {
                .init(id: $0.id, url: $0.url, events: $0.events.joined(separator: ", "), createdBy: $0.createdBy)
            },
            hasDeliveries: !deliveries.isEmpty,
            deliveries: deliveries.map {
                .init(id: $0.id, webhook: $0.webhookID, event: $0.event, state: $0.state, attempts: $0.attempts,
                      last: $0.lastStatus.map { "HTTP \($0)" } ?? $0.lastError.map { String($0.prefix(80)) } ?? "-",
                      created: Format.time(Time.iso($0.createdAt)))
            },
            tokens: dashboard.access.identities(kind: .token).map { token in
                .init(name: token.name, scopes: token.scopes.rules.map { "\($0.repository)=\($0.actions.map(\.rawValue).sorted().joined(separator: ","))" }
                        .joined(separator: " "),
                      state: token.isExpired() ? "expired" : (token.enabled ? "enabled" : "disabled"),
                      expires: token.expiresAt.map { Format.time(Time.iso($0)) } ?? "never",
                      action: token.enabled ? "disable" : "enable", actionLabel: token.enabled ? "Disable" : "Enable")
            })
    }

    /// A settings form was posted (CSRF and admin already checked).
    func change(path: String, form: [String: String]) async -> WebReply {
        let who = viewer.identity.name
        func log(_ what: String, _ details: [String: String]) {
            var metadata: Logger.Metadata = ["by": "\(who)", "via": "dashboard"]
            for (key, value) in details { metadata[key] = "\(value)" }
            dashboard.logger.notice("\(what)", metadata: metadata)
        }
        do {
            switch path {
            case "/settings/plan":
                let subscription = form["subscription"] ?? ""
                let verb = form["enabled"] == "true" ? "enable" : "disable"
                try await dashboard.data.send("defender", "POST", [verb], json: ["subscription": subscription], identity: who)
                log("scanning plan changed", ["subscription": subscription, "plan": verb + "d"])
                return Web.redirect("/ui/settings?done=plan#plans")
            case "/settings/network":
                var rules = dashboard.access.networkRules
                rules.publicAccess = form["publicAccess"] != "disabled"
                rules.defaultAction = form["defaultAction"] == "deny" ? .deny : .allow
                rules.trustedServices = form["trustedServices"] != "off"
                rules.anonymousPull = form["anonymousPull"] == "on"
                try await dashboard.access.setNetworkRules(rules)
                await dashboard.networkRulesChanged()
                log("network rules changed", ["publicAccess": "\(rules.publicAccess)", "defaultAction": rules.defaultAction.rawValue,
                                              "trustedServices": "\(rules.trustedServices)", "anonymousPull": "\(rules.anonymousPull)"])
                return Web.redirect("/ui/settings?done=network#network")
            case "/settings/network/rules/add", "/settings/network/rules/remove":
                var rules = dashboard.access.networkRules
                let cidr: String
                do { cidr = try CIDR(form["cidr"] ?? "").description } catch { throw PageError(status: 400, message: "\(error)") }
                if path.hasSuffix("add") {
                    if !rules.ipRules.contains(cidr) { rules.ipRules.append(cidr) }
                } else {
                    rules.ipRules.removeAll { $0 == cidr }
                }
                try await dashboard.access.setNetworkRules(rules)
                await dashboard.networkRulesChanged()
                log(path.hasSuffix("add") ? "IP rule added" : "IP rule removed", ["cidr": cidr])
                return Web.redirect("/ui/settings?done=\(path.hasSuffix("add") ? "rule-added" : "rule-removed")#network")
            case "/settings/exemptions":
                var body: [String: Any] = [:]
                for key in ["vulnerability", "package", "repository", "maxSeverity", "justification", "expires"] {
                    if let value = form[key], !value.isEmpty { body[key] = value }
                }
                try await dashboard.data.send("exemptions", "POST", json: body, identity: who)
                return Web.redirect("/ui/settings?done=exemption-added#exemptions")
            case "/settings/exemptions/remove":
                try await dashboard.data.send("exemptions", "DELETE", [form["id"] ?? ""], identity: who)
                return Web.redirect("/ui/settings?done=exemption-removed#exemptions")
            case "/settings/webhooks":
                let events = (form["events"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                try await dashboard.data.send("webhooks", "POST", json: ["url": form["url"] ?? "", "events": events, "secret": form["secret"] ?? ""],
                                              identity: who)
                return Web.redirect("/ui/settings?done=webhook-added#webhooks")
            case "/settings/webhooks/remove":
                try await dashboard.data.send("webhooks", "DELETE", [form["id"] ?? ""], identity: who)
                return Web.redirect("/ui/settings?done=webhook-removed#webhooks")
            case "/settings/tokens":
                let name = form["name"] ?? ""
                let scopes = try Self.scopes(form["scope"] ?? "")
                var expiry: Double?
                if let text = form["days"], !text.isEmpty {
                    guard let days = Int(text), (1...36500).contains(days) else { throw PageError(status: 400, message: "Expires in days takes 1 to 36500.") }
                    expiry = Date().timeIntervalSince1970 + Double(days) * 86400
                }
                let (token, password) = try await dashboard.access.createToken(name: name, scopes: scopes, expiresAt: expiry)
                log("token created", ["token": token.name])
                // Shown in this answer only (a redirect would carry the password in a URL).
                return dashboard.render("settings", try await build(query: [:], created: .init(name: token.name, password: password)))
            case "/settings/tokens/enable", "/settings/tokens/disable":
                let name = form["name"] ?? ""
                _ = try await dashboard.access.setEnabled(name: name, kind: .token, enabled: path.hasSuffix("enable"))
                log(path.hasSuffix("enable") ? "token enabled" : "token disabled", ["token": name])
                return Web.redirect("/ui/settings?done=token-changed#tokens")
            case "/settings/tokens/delete":
                let name = form["name"] ?? ""
                try await dashboard.access.delete(name: name, kind: .token)
                log("token deleted", ["token": name])
                return Web.redirect("/ui/settings?done=token-deleted#tokens")
            default:
                return dashboard.errorPage(viewer, status: 404, heading: "Not found", message: "There is no setting \(path.prefix(100)).")
            }
        } catch {
            let message: String
            switch error {
            case let error as PageError: message = error.message
            case let error as DefenderData.APIError: message = error.description
            case let error as AccessError: message = error.description
            default: message = "\(error)"
            }
            let page = try? await build(query: [:], error: message)
            return page.map { dashboard.render("settings", $0, status: 400) }
                ?? dashboard.errorPage(viewer, status: 400, heading: "Not changed", message: message)
        }
    }

    /// `team/*=pull,push` (several separated by spaces).
    static func scopes(_ text: String) throws -> ScopeMap {
        var rules: [ScopeRule] = []
        for part in text.split(separator: " ") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else { throw PageError(status: 400, message: "A scope is PATTERN=ACTIONS, such as team/*=pull,push.") }
            var actions: Set<RepositoryAction> = []
            for word in pieces[1].split(separator: ",") {
                guard let action = RepositoryAction(rawValue: String(word)) else {
                    throw PageError(status: 400, message: "Unknown action '\(word.prefix(20))' (use pull, push, delete, metadata/read, metadata/write).")
                }
                actions.insert(action)
            }
            rules.append(ScopeRule(repository: String(pieces[0]), actions: actions))
        }
        guard !rules.isEmpty else { throw PageError(status: 400, message: "Give at least one scope.") }
        return ScopeMap(rules)
    }
}
