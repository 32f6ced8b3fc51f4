import Access
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// `/token`: the Docker token flow (`GET` with Basic credentials or none) and the OAuth2 grants
/// docker and podman use (`POST` with `grant_type=password` or `refresh_token`). Issues a
/// short-lived JWT holding the subset of the requested scopes the identity is granted.
struct TokenEndpoint {
    let access: AccessController

    typealias Log = (_ identity: String, _ type: String, _ info: AccessGate.CallInfo?, _ success: Bool, _ description: String) -> Void

    func respond(_ request: Request, identity: Identity, info: AccessGate.CallInfo?, context: RegistryRequestContext,
                 log: Log) async throws -> Response {
        switch request.method {
        case .get:
            let query = request.uri.queryParameters
            let scopes = query.getAll("scope").flatMap { $0.split(separator: " ").map(String.init) }
            let offline = query["offline_token"] == "true"
            if identity.kind != .anonymous { log(identity.name, identity.kind.rawValue, info, true, "token") }
            return json(try await access.issue(for: identity, scopes: scopes, offline: offline))
        case .post:
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 64 * 1024) } catch {
                return try oauthError(.badRequest, "invalid_request", "the token request body is larger than 64 KiB", request, context)
            }
            let form = Self.parseForm(String(buffer: body))
            let scopes = (form["scope"] ?? "").split(separator: " ").map(String.init)
            switch form["grant_type"] {
            case "password":
                guard let name = form["username"], let password = form["password"] else {
                    return try oauthError(.badRequest, "invalid_request", "grant_type=password needs username and password", request, context)
                }
                switch access.checkPassword(name: name, password: password) {
                case .success(let id):
                    log(id.name, id.kind.rawValue, info, true, "oauth2 password")
                    return json(try await access.issue(for: id, scopes: scopes, offline: form["access_type"] == "offline"))
                case .failure(let reason):
                    log(name, "unknown", info, false, reason.description)
                    return try oauthError(.unauthorized, "invalid_grant", reason.description, request, context)
                }
            case "refresh_token":
                guard let refresh = form["refresh_token"] else {
                    return try oauthError(.badRequest, "invalid_request", "grant_type=refresh_token needs refresh_token", request, context)
                }
                let id: Identity
                do {
                    id = try await access.identity(forRefreshToken: refresh)
                } catch let e {
                    log("", "unknown", info, false, e.description)
                    return try oauthError(.unauthorized, "invalid_grant", e.description, request, context)
                }
                log(id.name, id.kind.rawValue, info, true, "oauth2 refresh_token")
                var issued = try await access.issue(for: id, scopes: scopes, offline: false)
                issued.refresh_token = refresh
                return json(issued)
            default:
                return try oauthError(.badRequest, "unsupported_grant_type", "grant_type must be password or refresh_token", request, context)
            }
        default:
            return try RegistryError.unsupported("use GET or POST on /token", status: .methodNotAllowed).response(from: request, context: context)
        }
    }

    func json(_ token: IssuedToken) -> Response {
        let data = (try? JSONEncoder().encode(token)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(data.count), .cacheControl: "no-store"],
                         body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// OAuth2 errors have their own shape (`{"error":…,"error_description":…}`).
    func oauthError(_ status: HTTPResponse.Status, _ code: String, _ message: String, _ request: Request,
               _ context: RegistryRequestContext) throws -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": message])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json", .contentLength: String(body.count)],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func parseForm(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let key = decode(kv[0])
            let value = kv.count > 1 ? decode(kv[1]) : ""
            result[key] = result[key].map { $0 + " " + value } ?? value
        }
        return result
    }
}
