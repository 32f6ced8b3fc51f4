import Access
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import OCI
import RegistryClient
import RegistryStorage
import ServiceLifecycle

/// The admin API (JSON over HTTP, admin only; the gate checks that). Described for users in
/// docs/admin-api.openapi.yaml, which the tests validate these answers against. Request bodies
/// with unknown fields are refused, so a typo never silently changes nothing.
struct AdminAPI {
    let access: AccessController
    let privateEndpoints: [String]
    let store: RegistryStore
    let configuration: RegistryServer.Configuration
    let logger: Logger

    // MARK: Views (what the API returns)

    struct TokenView: Codable {
        var name: String
        var scopes: [ScopeRule]
        var enabled: Bool
        var expiresAt: String?
        var createdAt: String
    }

    struct UserView: Codable {
        var name: String
        var kind: String
        var scopes: [ScopeRule]
        var enabled: Bool
        var createdAt: String
    }

    struct NetworkView: Codable {
        var publicAccess: String
        var defaultAction: String
        var ipRules: [String]
        var trustedServices: Bool
        var anonymousPull: Bool
        var privateEndpoints: [String]
    }

    static func time(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func tokenView(_ i: StoredIdentity) -> TokenView {
        TokenView(name: i.name, scopes: i.scopes.rules, enabled: i.enabled, expiresAt: i.expiresAt.map(time), createdAt: time(i.createdAt))
    }

    func networkView() -> NetworkView {
        let r = access.networkRules
        return NetworkView(publicAccess: r.publicAccess ? "enabled" : "disabled", defaultAction: r.defaultAction.rawValue,
                           ipRules: r.ipRules, trustedServices: r.trustedServices, anonymousPull: r.anonymousPull,
                           privateEndpoints: privateEndpoints)
    }

    // MARK: Routing

    func respond(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let segments = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        do {
            switch (request.method, segments.dropFirst().first ?? "") {
            case (_, "tokens"): return try await tokens(request, Array(segments.dropFirst(2)))
            case (_, "users"): return try await users(request, Array(segments.dropFirst(2)))
            case (_, "network"): return try await network(request, Array(segments.dropFirst(2)))
            case (_, "logs"): return try await logs(request, Array(segments.dropFirst(2)), context: context)
            case (.post, "import") where segments.count == 2: return try await importImage(request, context: context)
            case (_, let group):
                guard let handler = configuration.adminExtensions[group] else {
                    throw AccessError(.notFound, "no admin endpoint \(request.uri.path.prefix(100))")
                }
                return try await extensionCall(handler, request, Array(segments.dropFirst(2)), context: context)
            }
        } catch let error as AdminCallError {
            return try RegistryError(.init(code: error.status), error.code, error.message).response(from: request, context: context)
        } catch let error as AccessError {
            let (status, code): (HTTPResponse.Status, String) = switch error.kind {
            case .invalid: (.badRequest, "INVALID_REQUEST")
            case .notFound: (.notFound, "NOT_FOUND")
            case .conflict: (.conflict, "CONFLICT")
            }
            return try RegistryError(status, code, error.description).response(from: request, context: context)
        }
    }

    func tokens(_ request: Request, _ rest: [String]) async throws -> Response {
        switch (request.method, rest.count) {
        case (.get, 0):
            return json(["tokens": access.identities(kind: .token).map(Self.tokenView)])
        case (.post, 0):
            struct Create: Decodable { var name: String; var scopes: [ScopeRule]; var expiresAt: String?; var expiresInDays: Int? }
            let body: Create = try await decode(request, allowed: ["name", "scopes", "expiresAt", "expiresInDays"])
            var expiry: Double?
            if let text = body.expiresAt {
                guard let date = ISO8601DateFormatter().date(from: text) else {
                    throw AccessError(.invalid, "expiresAt must be an RFC 3339 time such as 2027-01-31T00:00:00Z")
                }
                expiry = date.timeIntervalSince1970
            }
            if let days = body.expiresInDays {
                guard (1...36500).contains(days) else { throw AccessError(.invalid, "expiresInDays must be between 1 and 36500") }
                expiry = Date().timeIntervalSince1970 + Double(days) * 86400
            }
            let (token, password) = try await access.createToken(name: body.name, scopes: ScopeMap(body.scopes), expiresAt: expiry)
            struct Created: Encodable { var token: TokenView; var password: String }
            return json(Created(token: Self.tokenView(token), password: password), status: .created)
        case (.post, 2) where rest[1] == "disable" || rest[1] == "enable":
            return json(Self.tokenView(try await access.setEnabled(name: rest[0], kind: .token, enabled: rest[1] == "enable")))
        case (.delete, 1):
            try await access.delete(name: rest[0], kind: .token)
            return Response(status: .noContent)
        default:
            throw AccessError(.notFound, "no admin endpoint \(request.method.rawValue) \(request.uri.path.prefix(100))")
        }
    }

    func users(_ request: Request, _ rest: [String]) async throws -> Response {
        func view(_ i: StoredIdentity) -> UserView {
            UserView(name: i.name, kind: i.kind.rawValue, scopes: i.scopes.rules, enabled: i.enabled, createdAt: Self.time(i.createdAt))
        }
        switch (request.method, rest.count) {
        case (.get, 0):
            return json(["users": access.identities().filter { $0.kind == .user || $0.kind == .admin || $0.kind == .service }.map(view)])
        case (.post, 0):
            struct Create: Decodable { var name: String; var password: String; var scopes: [ScopeRule]? }
            let body: Create = try await decode(request, allowed: ["name", "password", "scopes"])
            let user = try await access.createUser(name: body.name, password: body.password, scopes: body.scopes.map(ScopeMap.init))
            return json(view(user), status: .created)
        case (.patch, 1):
            struct Change: Decodable { var password: String?; var scopes: [ScopeRule]? }
            let body: Change = try await decode(request, allowed: ["password", "scopes"])
            guard body.password != nil || body.scopes != nil else { throw AccessError(.invalid, "give password and/or scopes to change") }
            return json(view(try await access.updateUser(name: rest[0], password: body.password, scopes: body.scopes.map(ScopeMap.init))))
        case (.delete, 1):
            try await access.delete(name: rest[0], kind: .user)
            return Response(status: .noContent)
        default:
            throw AccessError(.notFound, "no admin endpoint \(request.method.rawValue) \(request.uri.path.prefix(100))")
        }
    }

    func network(_ request: Request, _ rest: [String]) async throws -> Response {
        var rules = access.networkRules
        switch (request.method, rest) {
        case (.get, []):
            return json(networkView())
        case (.patch, []):
            struct Change: Decodable { var publicAccess: String?; var defaultAction: String?; var trustedServices: Bool?; var anonymousPull: Bool? }
            let body: Change = try await decode(request, allowed: ["publicAccess", "defaultAction", "trustedServices", "anonymousPull"])
            if let v = body.publicAccess {
                guard v == "enabled" || v == "disabled" else { throw AccessError(.invalid, "publicAccess must be enabled or disabled") }
                rules.publicAccess = v == "enabled"
            }
            if let v = body.defaultAction {
                guard let action = NetworkRules.DefaultAction(rawValue: v) else { throw AccessError(.invalid, "defaultAction must be allow or deny") }
                rules.defaultAction = action
            }
            if let v = body.trustedServices { rules.trustedServices = v }
            if let v = body.anonymousPull { rules.anonymousPull = v }
        case (.post, ["rules"]):
            struct Rule: Decodable { var cidr: String }
            let body: Rule = try await decode(request, allowed: ["cidr"])
            do { rules.ipRules.append(try CIDR(body.cidr).description) } catch { throw AccessError(.invalid, error.description) }
        case (.delete, ["rules"]):
            guard let text = request.uri.queryParameters["cidr"].map(String.init) else { throw AccessError(.invalid, "give the rule as ?cidr=") }
            let cidr: String
            do { cidr = try CIDR(text).description } catch { throw AccessError(.invalid, error.description) }
            guard rules.ipRules.contains(cidr) else { throw AccessError(.notFound, "no IP rule \(cidr)") }
            rules.ipRules.removeAll { $0 == cidr }
        default:
            throw AccessError(.notFound, "no admin endpoint \(request.method.rawValue) \(request.uri.path.prefix(100))")
        }
        try await access.setNetworkRules(rules)
        await configuration.onNetworkRulesChanged?()
        return json(networkView())
    }

    func logs(_ request: Request, _ rest: [String], context: RegistryRequestContext) async throws -> Response {
        switch (request.method, rest) {
        case (.get, ["settings"]):
            return json(access.logSettings)
        case (.patch, ["settings"]):
            struct Change: Decodable { var enabled: Bool?; var retentionDays: Int? }
            let body: Change = try await decode(request, allowed: ["enabled", "retentionDays"])
            var settings = access.logSettings
            if let v = body.enabled { settings.enabled = v }
            if let v = body.retentionDays { settings.retentionDays = v }
            try await access.setLogSettings(settings)
            return json(settings)
        case (.get, []):
            return json(["rows": try await access.queryLogs(try query(request))])
        case (.get, ["stream"]):
            var q = try query(request)
            let access = self.access
            if q.since == nil && request.uri.queryParameters["since"] == nil {
                // Like `tail -f`: start after what exists now.
                q.afterID = try await access.queryLogs(q).last?.id
                q.since = Date().timeIntervalSince1970 - 1
            }
            let start = q
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { writer in
                var q = start
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var idle = 0
                // Ends when the server shuts down; a blank line every few idle seconds finds out
                // that the client has gone (the write fails) instead of polling for it forever.
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let rows = try await access.queryLogs(q)
                    for row in rows {
                        var line = try encoder.encode(row)
                        line.append(UInt8(ascii: "\n"))
                        try await writer.write(ByteBuffer(bytes: line))
                        q.afterID = row.id
                    }
                    if rows.isEmpty {
                        idle += 1
                        if idle % 6 == 0 { try await writer.write(ByteBuffer(string: "\n")) }
                        try await Task.sleep(for: .milliseconds(500))
                    } else {
                        idle = 0
                    }
                }
                try await writer.finish(nil)
            })
        default:
            throw AccessError(.notFound, "no admin endpoint \(request.method.rawValue) \(request.uri.path.prefix(100))")
        }
    }

    func query(_ request: Request) throws -> ResourceLogQuery {
        let p = request.uri.queryParameters
        let known: Set<String> = ["table", "since", "until", "identity", "repository", "operation", "result", "limit"]
        for (key, _) in p where !known.contains(String(key)) { throw AccessError(.invalid, "unknown query parameter '\(String(key).prefix(40))'") }
        guard let tableName = p["table"].map(String.init), let table = ResourceLogTable(rawValue: tableName) else {
            throw AccessError(.invalid, "table must be RegistryLoginEvents or RegistryRepositoryEvents")
        }
        var q = ResourceLogQuery(table: table)
        func time(_ key: String) throws -> Double? {
            guard let v = p[Substring(key)].map(String.init) else { return nil }
            if let seconds = Double(v) { return seconds }
            guard let date = ISO8601DateFormatter().date(from: v) else { throw AccessError(.invalid, "\(key) must be an RFC 3339 time or Unix seconds") }
            return date.timeIntervalSince1970
        }
        q.since = try time("since")
        q.until = try time("until")
        q.identity = p["identity"].map(String.init)
        q.repository = p["repository"].map(String.init)
        q.operation = p["operation"].map(String.init)
        q.result = p["result"].map(String.init)
        if let l = p["limit"] {
            guard let n = Int(l), (1...100_000).contains(n) else { throw AccessError(.invalid, "limit must be 1…100000") }
            q.limit = n
        }
        return q
    }

    // MARK: Route groups of other modules

    func extensionCall(_ handler: AdminRouteHandler, _ request: Request, _ rest: [String],
                       context: RegistryRequestContext) async throws -> Response {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value).removingPercentEncoding ?? String(value) }
        let body = request.body
        let call = AdminCall(method: request.method.rawValue, path: rest, query: query, identity: context.identity?.name ?? "",
                             body: { limit in
                                 do { return Data(buffer: try await body.collect(upTo: limit)) } catch {
                                     throw AdminCallError(status: 413, code: "INVALID_REQUEST", "the request body is larger than \(limit) bytes")
                                 }
                             },
                             saveBody: { path, limit in try await Self.save(body, to: path, limit: limit) },
                             accept: request.headers[.accept], contentType: request.headers[.contentType])
        let reply = try await handler(call)
        var headers: HTTPFields = [.contentType: reply.contentType, .contentLength: String(reply.body.count)]
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: reply.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// Writes a request body to a new file chunk by chunk; removes it again on any failure.
    static func save(_ body: RequestBody, to path: String, limit: Int64) async throws -> Int64 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AdminCallError(status: 500, code: "INTERNAL", "cannot create \(path)") }
        var total: Int64 = 0
        do {
            for try await chunk in body {
                total += Int64(chunk.readableBytes)
                guard total <= limit else {
                    throw AdminCallError(status: 413, code: "INVALID_REQUEST", "the request body is larger than \(limit) bytes")
                }
                try chunk.withUnsafeReadableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    var offset = 0
                    while offset < bytes.count {
                        let n = write(fd, base + offset, bytes.count - offset)
                        guard n > 0 else { throw AdminCallError(status: 500, code: "INTERNAL", "cannot write \(path)") }
                        offset += n
                    }
                }
            }
            guard fsync(fd) == 0 else { throw AdminCallError(status: 500, code: "INTERNAL", "cannot sync \(path)") }
            close(fd)
            return total
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
    }

    // MARK: Import

    /// `POST /admin/import`: copies an image from another registry (`ImageImporter`) and logs it
    /// in RegistryRepositoryEvents as `Import`.
    func importImage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        struct Body: Decodable { var source: String; var target: String; var username: String?; var password: String?; var insecure: Bool? }
        let body: Body = try await decode(request, allowed: ["source", "target", "username", "password", "insecure"])
        let source: ImageReference
        do { source = try ImageReference(body.source.hasPrefix("docker://") ? String(body.source.dropFirst(9)) : body.source) } catch {
            throw AccessError(.invalid, "source '\(body.source.prefix(200))' is not an image reference: \(error.message)")
        }
        let (repository, tag) = try Self.target(body.target, defaultTag: source.tag?.value)
        var credentials: Credentials?
        switch (body.username, body.password) {
        case let (user?, password?): credentials = Credentials(username: user, password: password)
        case (nil, nil): credentials = nil
        default: throw AccessError(.invalid, "give username and password together")
        }
        let importer = ImageImporter(store: store, temporaryDirectory: configuration.temporaryDirectory, logger: logger)
        let identity = context.identity
        func log(_ result: String, _ description: String, digest: String?, size: Int64?) {
            access.record(.repositoryEvents, ResourceLogEvent(
                identity: identity?.name ?? "", identityType: identity?.kind.rawValue ?? "", callerIP: IPAddress(context.remoteAddress)?.description ?? "",
                userAgent: request.headers.first(.userAgent) ?? "", operation: "Import", repository: repository.value, tag: tag?.value,
                digest: digest, size: size, result: result, resultDescription: description,
                correlationID: CorrelationID.next(), loginServer: request.head.authority))
        }
        do {
            let result = try await importer.run(.init(source: source, repository: repository, tag: tag, credentials: credentials,
                                                      insecure: body.insecure ?? false))
            log("Success", "imported from \(source)", digest: result.digest, size: result.bytesCopied)
            return json(result, status: .created)
        } catch {
            let message = "cannot import \(source): \(error)"
            log("Failure", String(message.prefix(500)), digest: nil, size: nil)
            throw AdminCallError(status: 502, code: "IMPORT_FAILED", message)
        }
    }

    /// `REPO[:TAG]` (the tag defaults to the source's).
    static func target(_ text: String, defaultTag: String?) throws -> (RepositoryName, Tag?) {
        var name = Substring(text)
        var tagText = defaultTag
        if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
            name = text[..<colon]
            tagText = String(text[text.index(after: colon)...])
        }
        do {
            let repository = try RepositoryName(String(name))
            return (repository, try tagText.map { try Tag($0) })
        } catch let error as OCIError {
            throw AccessError(.invalid, "target '\(text.prefix(200))': \(error.message)")
        }
    }

    // MARK: Bodies

    /// Decodes a JSON object, refusing unknown fields and malformed JSON with a readable message.
    func decode<T: Decodable>(_ request: Request, allowed: Set<String>) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch {
            throw AccessError(.invalid, "the request body is larger than 64 KiB")
        }
        let data = Data(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AccessError(.invalid, "the request body must be a JSON object")
        }
        let unknown = Set(object.keys).subtracting(allowed)
        guard unknown.isEmpty else {
            throw AccessError(.invalid, "unknown field(s) \(unknown.sorted().joined(separator: ", ")); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw AccessError(.invalid, "missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw AccessError(.invalid, "field '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw AccessError(.invalid, "field '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))' is not valid: \(ctx.debugDescription)")
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json", .contentLength: String(data.count)],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
