import Access
import Defender
import Foundation

/// `/ui/logs`: the two resource-log tables with filters. The admin sees every row; anyone else
/// their own logins and the repository events of repositories they may pull.
struct LogsPage {
    let dashboard: Dashboard
    let viewer: Dashboard.Viewer
    static let limit = 500

    struct Model {
        struct Filter { var identity: String; var operation: String; var repository: String; var since: String; var until: String }
        struct Row {
            var time: String
            var identity: String
            var identityType: String
            var defender: Bool
            var operation: String
            var repository: String
            var reference: String
            var result: String
            var description: String
            var caller: String
        }
        var page: PageFrame
        var tableOptions: [Option]
        var resultOptions: [Option]
        var filter: Filter
        var defenderLink: String
        var count: Int
        var limited: Bool
        var rows: [Row]
    }

    func build(query: [String: String]) async throws -> Model {
        let tableName = query["table"] ?? ResourceLogTable.repositoryEvents.rawValue
        guard let table = ResourceLogTable(rawValue: tableName) else { throw PageError(status: 400, message: "Unknown log table.") }
        var request = ResourceLogQuery(table: table)
        func text(_ key: String) -> String? { query[key].flatMap { $0.isEmpty ? nil : String($0.prefix(300)) } }
        request.identity = text("identity")
        request.operation = text("operation")
        request.result = text("result")
        request.repository = text("repository")
        request.since = try text("since").map(Self.time)
        request.until = try text("until").map(Self.time)
        if !viewer.isAdmin && table == .loginEvents { request.identity = viewer.identity.name }
        request.limit = Self.limit
        request.newestFirst = true
        await dashboard.access.flushLogs()
        var rows = try await dashboard.access.queryLogs(request)
        if !viewer.isAdmin && table == .repositoryEvents {
            rows = rows.filter { row in row.repository.map { viewer.canSee($0) } ?? false }
        }
        let keep: [(String, String?)] = [("table", tableName), ("identity", "defender")]
        return Model(
            page: dashboard.frame(viewer, title: "Logs", section: "logs"),
            tableOptions: Option.list(ResourceLogTable.allCases.map { ($0.rawValue, $0.rawValue) }, selected: tableName),
            resultOptions: Option.list([("", "any"), ("Success", "Success"), ("Failure", "Failure")], selected: request.result),
            filter: .init(identity: request.identity ?? "", operation: request.operation ?? "", repository: request.repository ?? "",
                          since: text("since") ?? "", until: text("until") ?? ""),
            defenderLink: "/ui/logs" + Web.query(keep), count: rows.count, limited: rows.count >= Self.limit,
            rows: rows.map { row in
                Model.Row(time: Format.time(Time.iso(row.time)), identity: row.identity.isEmpty ? "(anonymous)" : row.identity,
                          identityType: row.identityType, defender: row.identity == Identity.defenderName, operation: row.operation,
                          repository: row.repository ?? "", reference: row.tag ?? row.digest.map(Format.shortDigest) ?? "",
                          result: row.result, description: row.resultDescription, caller: row.callerIP)
            })
    }

    /// A `datetime-local` value (`2026-12-07T10:30`, read as UTC) or an RFC 3339 time.
    static func time(_ text: String) throws -> Double {
        let candidates = [text, text + ":00Z", text + "Z"]
        for candidate in candidates {
            if let date = try? Date.ISO8601FormatStyle().parse(candidate) { return date.timeIntervalSince1970 }
        }
        throw PageError(status: 400, message: "'\(text.prefix(40))' is not a time (use YYYY-MM-DDTHH:MM).")
    }
}
