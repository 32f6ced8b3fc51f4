import Foundation

/// A route group of the admin API served by something outside this module (the defender's
/// `/admin/defender`, `/admin/findings`, `/admin/vulndb`), so the server carries its routes
/// through the same network rules, authentication and admin check without knowing what they do.
/// Calls and replies are plain values: the group's owner needs no HTTP framework.
public struct AdminCall: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    public var method: String
    /// Path segments after `/admin/<group>/`, percent-decoded.
    public var path: [String]
    public var query: [String: String]
    /// The authenticated caller's name (always the admin today).
    public var identity: String
    /// Reads the request body, refusing one larger than the given number of bytes.
    public var body: @Sendable (_ limit: Int) async throws -> Data
    /// Streams the request body into a new file at the path, refusing one larger than the limit
    /// (for uploads too large to hold in memory); returns the byte count.
    public var saveBody: @Sendable (_ path: String, _ limit: Int64) async throws -> Int64
    /// The request's `Accept` and `Content-Type` (the scanner adapter API picks its report by them).
    public var accept: String?
    public var contentType: String?

    public init(method: String, path: [String], query: [String: String], identity: String,
                body: @escaping @Sendable (_ limit: Int) async throws -> Data,
                saveBody: @escaping @Sendable (_ path: String, _ limit: Int64) async throws -> Int64,
                accept: String? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.identity = identity
        self.body = body
        self.saveBody = saveBody
        self.accept = accept
        self.contentType = contentType
    }
}

public struct AdminReply: Sendable {
    public var status: Int
    public var body: Data
    public var contentType: String
    /// Further headers (`Refresh-After` of a scan report not ready yet).
    public var headers: [(String, String)]

    public init(status: Int = 200, json: Data, contentType: String = "application/json", headers: [(String, String)] = []) {
        self.status = status
        self.body = json
        self.contentType = contentType
        self.headers = headers
    }
}

/// Thrown by an extension to answer with an error envelope (`INVALID_REQUEST`, `NOT_FOUND`…).
public struct AdminCallError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

public typealias AdminRouteHandler = @Sendable (AdminCall) async throws -> AdminReply

/// A request to the browser dashboard (`/ui/…`), handed to whatever serves it (the dashboard
/// module) after the network rules let the caller through. The dashboard signs users in itself
/// (session cookies), so the gate does not authenticate these requests.
public struct WebCall: Sendable {
    public var method: String
    /// The path after `/ui` (`/`, `/images`, …), percent-encoded as it came.
    public var path: String
    public var query: [String: String]
    /// Header values the dashboard needs (lower-case names): cookie, origin, referer, host,
    /// sec-fetch-site, content-type, user-agent.
    public var headers: [String: String]
    /// The caller's address as the network rules saw it.
    public var callerIP: String
    /// Arrived over TLS (cookies are then marked `Secure`).
    public var secure: Bool
    /// Reads the request body, refusing one larger than the given number of bytes.
    public var body: @Sendable (_ limit: Int) async throws -> Data

    public init(method: String, path: String, query: [String: String], headers: [String: String], callerIP: String,
                secure: Bool, body: @escaping @Sendable (_ limit: Int) async throws -> Data) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.callerIP = callerIP
        self.secure = secure
        self.body = body
    }
}

public struct WebReply: Sendable {
    public var status: Int
    /// Header name → value; `Set-Cookie` may repeat, so each header is a list.
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int = 200, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public typealias WebRouteHandler = @Sendable (WebCall) async -> WebReply
