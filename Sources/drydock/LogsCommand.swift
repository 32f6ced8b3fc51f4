import ArgumentParser
import Foundation

/// `drydock logs …`: query and follow the resource logs, and switch them.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Query or follow RegistryLoginEvents and RegistryRepositoryEvents.",
        subcommands: [Query.self, Tail.self, Settings.self])

    static let columns = ["TimeGenerated", "Identity", "IdentityType", "CallerIpAddress", "OperationName", "Repository", "Tag",
                          "Digest", "ResultType", "ResultDescription"]

    /// `30s`, `15m`, `2h`, `7d` → seconds.
    static func duration(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()), n >= 0 else {
            throw CLIError("'\(text)' is not a duration (use e.g. 30m, 2h, 7d)")
        }
        return n * factor
    }

    static func filters(table: String, since: String?, identity: String?, repository: String?, operation: String?) throws -> String {
        guard ["RegistryLoginEvents", "RegistryRepositoryEvents"].contains(table) else {
            throw CLIError("--table takes RegistryLoginEvents or RegistryRepositoryEvents")
        }
        var query = "table=\(table)"
        if let since { query += "&since=\(Date().timeIntervalSince1970 - (try duration(since)))" }
        if let identity { query += "&identity=\(percentEncode(identity))" }
        if let repository { query += "&repository=\(percentEncode(repository))" }
        if let operation { query += "&operation=\(percentEncode(operation))" }
        return query
    }

    static func row(_ r: [String: Any]) -> String {
        columns.map { key -> String in
            if key == "TimeGenerated", let t = r[key] as? Double {
                return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: t))
            }
            return r[key].map { "\($0)" } ?? "-"
        }.joined(separator: "\t")
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "query", abstract: "Rows of one table, oldest first.")
        @Option(name: .long) var table: String = "RegistryRepositoryEvents"
        @Option(name: .long, help: "Only rows newer than this (30m, 2h, 7d).") var since: String?
        @Option(name: .long) var identity: String?
        @Option(name: .long) var repository: String?
        @Option(name: .long) var operation: String?
        @Option(name: .long, help: "table or json") var output: String = "table"
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard output == "table" || output == "json" else { throw CLIError("--output takes table or json") }
            let query = try LogsCommand.filters(table: table, since: since, identity: identity, repository: repository, operation: operation)
            let result = try await admin.client().call(.GET, "/admin/logs?\(query)") as? [String: Any]
            let rows = result?["rows"] as? [[String: Any]] ?? []
            if output == "json" { printJSON(rows); return }
            print(LogsCommand.columns.joined(separator: "\t"))
            for r in rows { print(LogsCommand.row(r)) }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tail", abstract: "Follow new rows as JSON lines (Ctrl-C stops).")
        @Option(name: .long) var table: String = "RegistryRepositoryEvents"
        @Option(name: .long) var identity: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let query = try LogsCommand.filters(table: table, since: nil, identity: identity, repository: nil, operation: nil)
            try await admin.client().stream("/admin/logs/stream?\(query)") { line in
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            }
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "settings", abstract: "Show or change collection and retention.")
        @Option(name: .long, help: "on or off") var enabled: String?
        @Option(name: .customLong("retention-days")) var retentionDays: Int?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var body: [String: Any] = [:]
            if let enabled {
                guard enabled == "on" || enabled == "off" else { throw CLIError("--enabled takes on or off") }
                body["enabled"] = enabled == "on"
            }
            if let retentionDays { body["retentionDays"] = retentionDays }
            let result = body.isEmpty ? try await admin.client().call(.GET, "/admin/logs/settings")
                                      : try await admin.client().call(.PATCH, "/admin/logs/settings", body: body)
            printJSON(result)
        }
    }
}
