import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Carries a `/ui/…` request to the dashboard's handler as a plain `WebCall` and its
/// `WebReply` back.
enum WebEndpoint {
    static let forwardedHeaders: [(String, HTTPField.Name)] = [
        ("cookie", .cookie), ("origin", HTTPField.Name("Origin")!), ("referer", HTTPField.Name("Referer")!),
        ("sec-fetch-site", HTTPField.Name("Sec-Fetch-Site")!), ("content-type", .contentType),
        ("user-agent", .userAgent),
    ]

    static func respond(_ handler: WebRouteHandler, request: Request, callerIP: String, secure: Bool) async throws -> Response {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            query[String(key)] = String(value).removingPercentEncoding ?? String(value)
        }
        var headers: [String: String] = [:]
        for (name, field) in forwardedHeaders {
            // Several Cookie fields are one list.
            let values = request.headers[values: field]
            if !values.isEmpty { headers[name] = values.joined(separator: name == "cookie" ? "; " : ", ") }
        }
        if let authority = request.head.authority { headers["host"] = authority }
        let body = request.body
        let call = WebCall(method: request.method.rawValue, path: String(request.uri.path.dropFirst(3)), query: query, headers: headers,
                           callerIP: callerIP, secure: secure, body: { limit in
                               do { return Data(buffer: try await body.collect(upTo: limit)) } catch {
                                   throw AdminCallError(status: 413, code: "INVALID_REQUEST", "the request body is larger than \(limit) bytes")
                               }
                           })
        let reply = await handler(call)
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            guard let field = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: field, value: value))
        }
        fields[.contentLength] = String(reply.body.count)
        return Response(status: .init(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
