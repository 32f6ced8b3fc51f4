import Foundation
import Hummingbird
import HTTPTypes
import Metrics
import NIOCore

/// Counts and times every request (swift-metrics; `drydock serve` exports them in Prometheus'
/// text format at `/metrics`): `drydock_http_requests_total{route,method,status}`,
/// `drydock_http_request_duration_seconds{route}`, `drydock_http_received_bytes_total` and
/// `drydock_http_sent_bytes_total` (from the declared lengths: a streamed blob counts its
/// `Content-Length`). Routes are the API's kinds (`manifest`, `blob`, `upload`, …), never
/// repository names, so the number of series stays small.
struct MeasuredResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == RegistryRequestContext {
    typealias Context = RegistryRequestContext
    let inner: Inner
    /// Serves `/metrics` itself (only without access control: with it, the access gate does).
    let exporter: (@Sendable () -> String)?

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let route = Self.route(of: request.uri.path)
        let response: Response
        if let exporter, route == "metrics" {
            response = MetricsEndpoint.response(exporter)
        } else {
            response = try await inner.respond(to: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        Counter(label: "drydock_http_requests_total",
                dimensions: [("route", route), ("method", request.method.rawValue), ("status", String(response.status.code))]).increment()
        Timer(label: "drydock_http_request_duration_seconds", dimensions: [("route", route)]).record(duration: elapsed)
        if let received = request.headers[.contentLength].flatMap(Int64.init), received > 0 {
            Counter(label: "drydock_http_received_bytes_total", dimensions: [("route", route)]).increment(by: received)
        }
        if let sent = response.headers[.contentLength].flatMap(Int64.init), sent > 0 {
            Counter(label: "drydock_http_sent_bytes_total", dimensions: [("route", route)]).increment(by: sent)
        }
        return response
    }

    /// The kind of request a path is, for the `route` label.
    static func route(of path: String) -> String {
        if path == "/metrics" { return "metrics" }
        if path == "/token" { return "token" }
        if path == "/v2" || path == "/v2/" { return "base" }
        if path == "/ui" || path.hasPrefix("/ui/") { return "ui" }
        if path.hasPrefix("/admin/") || path == "/admin" {
            let group = path.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            return "admin_" + (group.allSatisfy { $0.isLetter } && group.count <= 20 ? group : "other")
        }
        guard path.hasPrefix("/v2/") else { return "other" }
        if path.hasSuffix("/_catalog") { return "catalog" }
        if path.contains("/manifests/") { return "manifest" }
        if path.contains("/blobs/uploads") { return "upload" }
        if path.contains("/blobs/") { return "blob" }
        if path.hasSuffix("/tags/list") { return "tags" }
        if path.contains("/referrers/") { return "referrers" }
        return "other"
    }
}

/// `/metrics`: what the exporter gives, as Prometheus' text format.
enum MetricsEndpoint {
    static func response(_ exporter: @Sendable () -> String) -> Response {
        let text = exporter()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: String(text.utf8.count)],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
