import Defender
import Foundation

/// The defender's admin API answers: the dashboard reads what the CLI and scripts read, so a
/// number on a page is the number the API gives. The two large views (the image list and an
/// image's findings) come as the API's own Swift values, the small ones as its JSON, decoded.
struct DefenderData {
    let api: DefenderAPI
    let views: FindingsViews

    /// Every image the defender lists, with its counts of findings in `state`.
    func images(state: String = "open", repository: String? = nil) async throws -> [FindingsViews.ListRow] {
        var query = ["state": state]
        if let repository, !repository.isEmpty { query["repository"] = repository }
        return try await mapped { try await views.list(query: query).images }
    }

    /// `drydock defender status`.
    func status() async throws -> DefenderAPI.StatusView {
        try await mapped { try await api.status() }
    }

    /// `findings show` of one image, all states.
    func image(_ reference: String, registry: String = DefenderConfiguration.localRegistry) async throws -> FindingsViews.ShowView {
        try await mapped { try await views.show(reference: reference, state: "all", registry: registry) }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as DefenderError {
            throw APIError(status: error.kind == .notFound ? 404 : 400, description: error.description)
        }
    }

    struct APIError: Error, CustomStringConvertible {
        var status: Int
        var description: String
    }

    func get<T: Decodable>(_ group: String, _ path: [String] = [], query: [String: String] = [:], as type: T.Type) async throws -> T {
        let reply: DefenderAPI.Reply
        do {
            reply = try await api.handle(group: group, method: "GET", path: path, query: query, body: { _ in Data() })
        } catch let error as DefenderError {
            throw APIError(status: error.kind == .notFound ? 404 : 400, description: error.description)
        }
        return try JSONDecoder().decode(T.self, from: reply.json)
    }

    /// A change made through the API on behalf of a signed-in user.
    func send(_ group: String, _ method: String, _ path: [String] = [], json: [String: Any] = [:], identity: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try await api.handle(group: group, method: method, path: path, query: [:], identity: identity, body: { _ in body })
        } catch let error as DefenderError {
            throw APIError(status: error.kind == .notFound ? 404 : 400, description: error.description)
        }
    }

    // MARK: Shapes of the answers (only the fields the pages show)


    struct Usage: Decodable {
        struct Charge: Decodable { var amount: Double; var currency: String }
        struct Registry: Decodable { var name: String; var imagesScanned: Int }
        struct Subscription: Decodable { var name: String; var imagesScanned: Int; var charge: Charge; var registries: [Registry] }
        var period: String
        var subscriptions: [Subscription]
    }

    struct TrendDay: Decodable { var date: String; var opened: Int; var resolved: Int }
    struct Trend: Decodable { var days: [TrendDay] }
}
