import ArgumentParser
import Foundation

/// `drydock defender …`: the scanning plan per subscription, its status, the queue, and which
/// repositories of a registry it covers — over the admin API.
struct DefenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defender", abstract: "Show and change the continuous scanning service.",
        subcommands: [Status.self, Enable.self, Disable.self, Jobs.self, Registry.self, ScannerCommand.self, Rescan.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Plan, queue, running scans, the database and images by health.")
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/defender")
            if output == .json { printJSON(value); return }
            DefenderCommand.printStatus(value)
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Turn scanning on for a subscription (and scan what it missed).")
        @Option(name: .long, help: "Subscription (default: default).") var subscription: String?
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let body: [String: Any] = subscription.map { ["subscription": $0] } ?? [:]
            DefenderCommand.printStatus(try await admin.client().call(.POST, "/admin/defender/enable", body: body))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Turn scanning off for a subscription (queued scans wait).")
        @Option(name: .long, help: "Subscription (default: default).") var subscription: String?
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let body: [String: Any] = subscription.map { ["subscription": $0] } ?? [:]
            DefenderCommand.printStatus(try await admin.client().call(.POST, "/admin/defender/disable", body: body))
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "jobs", abstract: "The scan queue: queued and running jobs.")
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/defender/jobs")
            if output == .json { printJSON(value); return }
            let jobs = (value as? [String: Any])?["jobs"] as? [[String: Any]] ?? []
            var rows = [["REPOSITORY", "DIGEST", "STATE", "ATTEMPTS", "TRIGGER", "LAST ERROR"]]
            for job in jobs {
                rows.append([job["repository"] as? String ?? "", shortDigest(job["digest"] as? String),
                             job["state"] as? String ?? "", "\(job["attempts"] as? Int ?? 0)", job["trigger"] as? String ?? "",
                             String((job["lastError"] as? String ?? "").prefix(80))])
            }
            printTable(rows)
        }
    }

    struct Registry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry", abstract: "The registries of the subscriptions and which repositories are scanned.",
            subcommands: [List.self, Update.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List registries with their patterns.")
            @OptionGroup var admin: AdminOptions
            func run() async throws { printJSON(try await admin.client().call(.GET, "/admin/defender/registries")) }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "update", abstract: "Set the repository patterns a registry's scanning covers ('team/*', 'tmp/**').")
            @Argument(help: "Registry name (the local registry is 'local').") var name: String
            @Option(name: .long, help: "Only repositories matching one of these (repeatable; none = all).") var include: [String] = []
            @Option(name: .long, help: "Never repositories matching one of these (repeatable).") var exclude: [String] = []
            @Flag(name: .customLong("clear"), help: "Remove all patterns (scan every repository).") var clear = false
            @OptionGroup var admin: AdminOptions
            func run() async throws {
                var body: [String: Any] = [:]
                if clear { body = ["include": [String](), "exclude": [String]()] }
                if !include.isEmpty { body["include"] = include }
                if !exclude.isEmpty { body["exclude"] = exclude }
                guard !body.isEmpty else { throw CLIError("nothing to change: give --include, --exclude or --clear") }
                printJSON(try await admin.client().call(.PATCH, "/admin/defender/registries/\(percentEncode(name))", body: body))
            }
        }
    }

    struct Rescan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rescan", abstract: "Run the continuous re-evaluation now (images pushed or pulled within the window).")
        @OptionGroup var admin: AdminOptions
        func run() async throws { printJSON(try await admin.client().call(.POST, "/admin/defender/pass")) }
    }

    static func printStatus(_ value: Any) {
        guard let status = value as? [String: Any] else { return }
        for subscription in status["subscriptions"] as? [[String: Any]] ?? [] {
            let registries = (subscription["registries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            print("subscription \(subscription["name"] as? String ?? "?"): plan \(subscription["plan"] as? String ?? "?") (registries: \(registries.joined(separator: ", ")))")
        }
        let queue = status["queue"] as? [String: Any] ?? [:]
        print("queue:      \(queue["queued"] as? Int ?? 0) queued, \(queue["running"] as? Int ?? 0) running, \(queue["waitingOnNetworkRules"] as? Int ?? 0) waiting on network rules")
        let database = status["database"] as? [String: Any] ?? [:]
        if database["loaded"] as? Bool == true {
            print("database:   \(database["path"] as? String ?? "") (built \(database["builtAt"] as? String ?? "?"), \(database["vulnerabilities"] as? Int ?? 0) vulnerabilities)")
        } else {
            print("database:   none loaded — \(database["error"] as? String ?? "")")
        }
        if let error = database["error"] as? String, database["loaded"] as? Bool == true { print("            \(error)") }
        let images = status["images"] as? [String: Any] ?? [:]
        print("images:     \(images["total"] as? Int ?? 0) (\(images["healthy"] as? Int ?? 0) healthy, \(images["unhealthy"] as? Int ?? 0) unhealthy, \(images["unknown"] as? Int ?? 0) not yet known); threshold \(status["healthThreshold"] as? String ?? "HIGH")")
        let byStatus = (images["byStatus"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !byStatus.isEmpty { print("            \(byStatus.joined(separator: ", "))") }
        let continuous = status["continuous"] as? [String: Any] ?? [:]
        print("continuous: every \(continuous["intervalHours"] as? Double ?? 24) h over images pushed or pulled in the last \(continuous["windowDays"] as? Double ?? 30) days; last pass \(continuous["lastPassAt"] as? String ?? "not yet")")
        if let outside = continuous["notPulledWithinWindow"] as? Int, outside > 0 {
            print("            \(outside) images not pulled within the window are not re-evaluated")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument { case table, json }

func shortDigest(_ digest: String?) -> String {
    guard let digest, let colon = digest.firstIndex(of: ":") else { return digest ?? "" }
    return String(digest[...colon]) + digest[digest.index(after: colon)...].prefix(12)
}

/// Left-aligned columns separated by two spaces.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = Array(repeating: 0, count: first.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let line = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
        print(line.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
