import Foundation
import Matching

/// An exemption as the admin API and `drydock exemption list --output json` show it.
struct ExemptionView: Encodable {
    var id: Int
    var vulnerability: String?
    var package: String?
    var purl: String?
    var repository: String?
    var maxSeverity: String?
    var justification: String
    var createdBy: String
    var createdAt: String
    var expiresAt: String?
    var removedAt: String?
    var removedBy: String?
    var source: String
    /// In force: not removed and not expired (at the time of the answer).
    var active: Bool?

    init(_ exemption: Exemption) {
        self.init(exemption, now: nil)
    }

    init(_ exemption: Exemption, now: Double?) {
        id = exemption.id
        vulnerability = exemption.vulnerability
        package = exemption.package
        purl = exemption.purl
        repository = exemption.repository
        maxSeverity = exemption.maxSeverity
        justification = exemption.justification
        createdBy = exemption.createdBy
        createdAt = Time.iso(exemption.createdAt)
        expiresAt = exemption.expiresAt.map(Time.iso)
        removedAt = exemption.removedAt.map(Time.iso)
        removedBy = exemption.removedBy
        source = exemption.source
        active = now.map(exemption.isActive)
    }
}

/// `/admin/exemptions`: list (`?all=true` adds expired and removed ones), create (one JSON
/// object, or an OpenVEX document at `/admin/exemptions/openvex?name=…`), remove by ID.
struct ExemptionsAPI {
    let defender: Defender

    struct ListView: Encodable { var exemptions: [ExemptionView] }

    func list(query: [String: String]) async throws -> ListView {
        for key in query.keys where key != "all" { throw DefenderError(.invalid, "unknown query parameter '\(key.prefix(40))'") }
        let now = defender.now
        let all = query["all"] == "true" || query["all"] == "1"
        return ListView(exemptions: try await defender.store.exemptions(includeInactive: all, now: now).map { ExemptionView($0, now: now) })
    }

    func create(_ fields: [String: Any], identity: String) async throws -> ListView {
        func text(_ key: String) throws -> String? {
            guard let value = fields[key] else { return nil }
            guard let string = value as? String else { throw DefenderError(.invalid, "\(key) must be a string") }
            return string
        }
        let now = defender.now
        let request = try ExemptionRequest(
            vulnerability: text("vulnerability"), package: text("package"), purl: text("purl"), repository: text("repository"),
            maxSeverity: text("maxSeverity"), justification: text("justification") ?? "",
            expiresAt: try text("expires").map(ExemptionRequest.expiry)).validated(now: now)
        return try await add([request], identity: identity, now: now)
    }

    func importOpenVEX(_ data: Data, name: String?, identity: String) async throws -> ListView {
        let label = String((name ?? "document").prefix(200))
        let statements: [VEXStatement]
        do { statements = try OpenVEX.parse(data, name: label) } catch { throw DefenderError(.invalid, "\(error)") }
        let now = defender.now
        let requests = try ExemptionRequest.fromOpenVEX(statements, name: label).map { try $0.validated(now: now) }
        guard !requests.isEmpty else {
            throw DefenderError(.invalid, "\(label) has no not_affected or fixed statement about a package or image")
        }
        return try await add(requests, identity: identity, now: now)
    }

    func remove(_ idText: String, identity: String) async throws -> ExemptionView {
        guard let id = Int(idText) else { throw DefenderError(.invalid, "'\(idText.prefix(40))' is not an exemption ID") }
        let removed = try await defender.store.removeExemption(id: id, by: identity, now: defender.now)
        defender.logger.notice("exemption removed", metadata: ["id": "\(id)", "by": "\(identity)"])
        return ExemptionView(removed, now: defender.now)
    }

    private func add(_ requests: [ExemptionRequest], identity: String, now: Double) async throws -> ListView {
        let added = try await defender.store.addExemptions(requests, by: identity, now: now)
        for exemption in added {
            defender.logger.notice("exemption added", metadata: [
                "id": "\(exemption.id)", "by": "\(identity)", "vulnerability": "\(exemption.vulnerability ?? "*")",
                "package": "\(exemption.package ?? exemption.purl ?? "*")", "repository": "\(exemption.repository ?? "*")",
                "expires": "\(exemption.expiresAt.map(Time.iso) ?? "never")"])
        }
        return ListView(exemptions: added.map { ExemptionView($0, now: now) })
    }
}
