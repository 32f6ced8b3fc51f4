import Access
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import OCI
import RegistryStorage

/// Runs in front of the distribution API on every listener when access control is on, in the
/// order network → authenticate → authorize → handler → log. It also answers the token endpoint
/// (`/token`) and the admin API (`/admin/…`), which need the same network and identity checks.
struct AccessGate: HTTPResponder {
    typealias Context = RegistryRequestContext

    let api: RegistryAPI
    let access: AccessController
    /// A private endpoint: neither the public-access switch nor the IP rules apply.
    let isPrivate: Bool
    let scheme: String
    let privateEndpoints: [String]
    let store: RegistryStore
    let configuration: RegistryServer.Configuration
    let logger: Logger

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func respond(to request: Request, context: Context) async throws -> Response {
        var context = context
        // X-Forwarded-For counts only from trusted proxies, so without any it is not even read.
        let forwardedFor = access.configuration.trustedProxies.isEmpty ? nil : request.headers[Self.forwardedFor]
        let caller = access.callerAddress(peerAddress: IPAddress(context.remoteAddress), forwardedFor: forwardedFor)
        // The log rows' shared columns, gathered only while resource logs are collected.
        let info = access.logsEnabled
            ? CallInfo(caller: caller?.description ?? "", userAgent: request.headers.first(.userAgent) ?? "",
                       correlationID: CorrelationID.next(), host: request.head.authority ?? "")
            : nil
        let rules = access.networkRules
        let refusal = isPrivate ? nil : rules.refusal(for: caller)
        let path = request.uri.path

        // The dashboard signs its users in with its own sessions; only the network rules apply
        // here (no trusted service browses it).
        if let web = configuration.web, path == "/ui" || path.hasPrefix("/ui/") {
            if let refusal { return try denied(refusal, request: request, context: context) }
            return try await WebEndpoint.respond(web, request: request, callerIP: caller?.description ?? "", secure: scheme == "https")
        }

        // Authenticate.
        let identity: Identity
        let authorization = request.headers.first(.authorization)
        let authentication: AuthenticationResult
        if let known = access.authenticateFromCache(authorization: authorization) {
            authentication = known  // the common case, without a suspension point
        } else {
            authentication = await access.authenticate(authorization: authorization)
        }
        switch authentication {
        case .anonymous:
            identity = rules.anonymousPull ? .anonymousPuller : .anonymous
        case .authenticated(let id, let method):
            identity = id
            if method == "basic" && (path == "/v2/" || path == "/v2") {
                logLogin(identity: id.name, type: id.kind.rawValue, info: info, success: true, description: "basic")
            }
        case .failed(let name, let reason):
            logLogin(identity: name, type: "unknown", info: info, success: false, description: reason)
            if let refusal { return try denied(refusal, request: request, context: context) }
            return try unauthorized(reason, scope: nil, request: request, context: context)
        }
        // Network rules (the identity is known now, so trusted services can be let through).
        if let refusal, !(identity.trusted && rules.trustedServices) {
            return try denied(refusal, request: request, context: context)
        }
        context.identity = identity

        if path == "/token" {
            return try await TokenEndpoint(access: access).respond(request, identity: identity, info: info, context: context,
                                                                   log: logLogin)
        }
        if path == "/metrics", let exporter = configuration.metrics {
            // Prometheus scrapes with a user's or a token's credentials (basic or bearer).
            guard identity.kind != .anonymous else {
                return try unauthorized("the metrics need credentials", scope: nil, basic: true, request: request, context: context)
            }
            return MetricsEndpoint.response(exporter)
        }
        if let adapter = configuration.scannerAdapter, path.hasPrefix("/api/v1/") {
            // Harbor (or anything speaking its scanner API) registers Drydock with a user's or
            // a token's credentials.
            guard identity.kind != .anonymous else {
                return try unauthorized("the scanner API needs credentials", scope: nil, basic: true, request: request, context: context)
            }
            let rest = path.split(separator: "/").dropFirst(2).map { String($0).removingPercentEncoding ?? String($0) }
            return try await AdminAPI(access: access, privateEndpoints: privateEndpoints, store: store, configuration: configuration,
                                      logger: logger).extensionCall(adapter, request, rest, context: context)
        }
        if path == "/admin" || path.hasPrefix("/admin/") {
            guard identity.kind != .anonymous else {
                return try unauthorized("the admin API needs the admin's credentials", scope: nil, basic: true, request: request, context: context)
            }
            guard identity.isAdmin else {
                return try denied("\(identity.kind.rawValue) '\(identity.name)' is not the admin", request: request, context: context)
            }
            return try await AdminAPI(access: access, privateEndpoints: privateEndpoints, store: store, configuration: configuration,
                                     logger: logger).respond(request, context: context)
        }

        // Authorize.
        guard let route = try? RegistryRoute.parse(path) else {
            if identity.kind == .anonymous && !rules.anonymousPull {
                return try unauthorized("authentication required", scope: nil, request: request, context: context)
            }
            return try await api.respond(to: request, context: context)
        }
        context.route = route
        let requirement = AccessRequirement.of(route, method: request.method, query: request.uri.queryParameters)
        let allowed: Bool
        if let repository = requirement.repository {
            allowed = requirement.actions.contains { identity.scopes.allows($0, on: repository) }
            // A cross-repository mount reads the source. A caller who may push here but not pull
            // there gets an ordinary upload session instead, as the spec asks of a registry that
            // cannot mount (clients then upload the blob; a 403 would fail the whole push).
            if allowed, let from = requirement.mountSource, !identity.scopes.allows(.pull, on: from) {
                context.mountRefused = true
            }
        } else {
            allowed = identity.kind != .anonymous || rules.anonymousPull
        }
        let operation = RepositoryOperation(route: route, method: request.method)
        guard allowed else {
            let response: Response
            if identity.kind == .anonymous {
                response = try unauthorized("authentication required", scope: requirement.challengeScope, request: request, context: context)
            } else {
                let what = requirement.actions.first?.rawValue ?? "access"
                response = try denied("\(identity.kind.rawValue) '\(identity.name)' may not \(what) \(requirement.repository ?? "this registry")",
                                      request: request, context: context)
            }
            if let operation { logRepository(operation, identity: identity, info: info, request: request, response: response) }
            return response
        }
        if case .catalog = route {
            let visible = access.visibility(of: identity)
            context.catalogFilter = { visible.canSee($0) }
        }
        let response = try await api.respond(to: request, context: context)
        if let operation { logRepository(operation, identity: identity, info: info, request: request, response: response) }
        return response
    }

    // MARK: Answers

    func unauthorized(_ message: String, scope: String?, basic: Bool = false, request: Request, context: Context) throws -> Response {
        let host = request.head.authority ?? "localhost"
        var challenge = "Bearer realm=\"\(scheme)://\(host)/token\",service=\"\(access.configuration.service)\""
        if let scope { challenge += ",scope=\"\(scope)\"" }
        if basic { challenge = "Basic realm=\"drydock\"" }
        return try RegistryError(.unauthorized, "UNAUTHORIZED", message, headers: [.wwwAuthenticate: challenge])
            .response(from: request, context: context)
    }

    func denied(_ message: String, request: Request, context: Context) throws -> Response {
        try RegistryError(.forbidden, "DENIED", message).response(from: request, context: context)
    }

    // MARK: Resource logs

    struct CallInfo {
        var caller: String
        var userAgent: String
        var correlationID: String
        var host: String
    }

    func logLogin(identity: String, type: String, info: CallInfo?, success: Bool, description: String) {
        guard let info else { return }
        access.record(.loginEvents, ResourceLogEvent(
            identity: identity, identityType: type, callerIP: info.caller, userAgent: info.userAgent, operation: "Login",
            result: success ? "Success" : "Failure", resultDescription: description,
            correlationID: info.correlationID, loginServer: info.host))
    }

    func logRepository(_ op: RepositoryOperation, identity: Identity, info: CallInfo?, request: Request, response: Response) {
        guard let info else { return }
        let success = response.status.kind == .successful
        var digest = response.headers.first(RegistryHeader.contentDigest) ?? op.digest
        if !success, digest == nil { digest = op.digest }
        let size: Int64?
        if op.name == "Push" {
            size = request.headers.first(.contentLength).flatMap { Int64($0) }
        } else if op.name == "Pull" && success {
            size = response.headers.first(.contentLength).flatMap { Int64($0) }
        } else {
            size = nil
        }
        access.record(.repositoryEvents, ResourceLogEvent(
            identity: identity.name, identityType: identity.kind.rawValue, callerIP: info.caller, userAgent: info.userAgent,
            operation: op.name, repository: op.repository, tag: op.tag, digest: digest, size: size,
            result: success ? "Success" : "Failure", resultDescription: String(response.status.code),
            correlationID: info.correlationID, loginServer: info.host))
    }
}

/// The repository operations the resource log records (manifest pull/push, deletes, untag).
struct RepositoryOperation {
    var name: String
    var repository: String
    var tag: String?
    var digest: String?

    init?(route: RegistryRoute, method: HTTPRequest.Method) {
        switch route {
        case .manifest(let repo, let reference):
            let isDigest = reference.utf8.contains(UInt8(ascii: ":"))
            repository = repo.value
            tag = isDigest ? nil : reference
            digest = isDigest ? reference : nil
            switch method {
            case .get: name = "Pull"
            case .put: name = "Push"
            case .delete: name = isDigest ? "Delete" : "Untag"
            default: return nil
            }
        case .blob(let repo, let d) where method == .delete:
            name = "Delete"
            repository = repo.value
            digest = d
        default:
            return nil
        }
    }
}
