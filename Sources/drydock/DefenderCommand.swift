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
            subcommands: [List.self, Add.self, Update.self, Remove.self, Poll.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List registries with their patterns.")
            @OptionGroup var admin: AdminOptions
            func run() async throws { printJSON(try await admin.client().call(.GET, "/admin/defender/registries")) }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Enrol another registry (another Drydock, a CNCF Distribution, any OCI registry) in a subscription.",
                discussion: """
                    The defender pulls its images with --username/--password (stored encrypted with the server's secret key, \
                    never shown back). It lists the registry's catalog and tags every --poll-interval seconds; with \
                    --events notifications, the registry also posts its events to \
                    /admin/defender/registries/NAME/events (see docs/defender.md for Distribution's configuration). \
                    The admin's own credentials: --admin-password or DRYDOCK_PASSWORD.
                    """)
            @Argument(help: "A name for the registry (lower-case letters, digits, '.', '_', '-').") var name: String
            @Option(name: .long, help: "The registry's base URL: https://HOST[:PORT] (http:// for a plain-HTTP one).") var url: String
            @OptionGroup var connection: RegistryConnectionOptions
            @Option(name: .long, help: "The subscription it belongs to (made, with the plan on, if new; default: default).") var subscription: String?
            @Option(name: .long, help: "drydock, distribution or oci (default oci).") var kind: String?
            @OptionGroup var admin: AdminLoginOptions
            func run() async throws {
                var body = try connection.body()
                body["name"] = name
                body["url"] = url
                if let subscription { body["subscription"] = subscription }
                if let kind { body["kind"] = kind }
                let answer = try await admin.client().call(.POST, "/admin/defender/registries", body: body)
                printJSON(answer)
                if connection.events == "notifications" {
                    FileHandle.standardError.write(Data("notifications go to POST \(try admin.client().base)/admin/defender/registries/\(percentEncode(name))/events (the admin's Basic credentials)\n".utf8))
                }
            }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "update",
                abstract: "Change a registry: the repository patterns its scanning covers ('team/*', 'tmp/**'); for an enrolled one also its URL, credentials, events and poll interval.")
            @Argument(help: "Registry name (the local registry is 'local').") var name: String
            @Option(name: .long, help: "A new base URL (enrolled registries).") var url: String?
            @OptionGroup var connection: RegistryConnectionOptions
            @Flag(name: .customLong("clear"), help: "Remove all patterns (scan every repository).") var clear = false
            @OptionGroup var admin: AdminLoginOptions
            func run() async throws {
                var body = try connection.body()
                if clear {
                    body["include"] = body["include"] ?? [String]()
                    body["exclude"] = body["exclude"] ?? [String]()
                }
                if let url { body["url"] = url }
                guard !body.isEmpty else { throw CLIError("nothing to change: give --include, --exclude, --clear or a connection setting") }
                printJSON(try await admin.client().call(.PATCH, "/admin/defender/registries/\(percentEncode(name))", body: body))
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "remove", abstract: "Stop watching an enrolled registry (its images leave the views; its stored password is deleted).")
            @Argument(help: "Registry name.") var name: String
            @OptionGroup var admin: AdminOptions
            func run() async throws {
                printJSON(try await admin.client().call(.DELETE, "/admin/defender/registries/\(percentEncode(name))"))
            }
        }

        struct Poll: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "poll", abstract: "List an enrolled registry's catalog and tags now (new digests are queued for a scan).")
            @Argument(help: "Registry name.") var name: String
            @OptionGroup var admin: AdminOptions
            func run() async throws {
                printJSON(try await admin.client().call(.POST, "/admin/defender/registries/\(percentEncode(name))/poll"))
            }
        }
    }

    /// What `registry add` and `registry update` share: patterns and how the registry is reached.
    struct RegistryConnectionOptions: ParsableArguments {
        @Option(name: .long, help: "Only repositories matching one of these (repeatable; none = all).") var include: [String] = []
        @Option(name: .long, help: "Never repositories matching one of these (repeatable).") var exclude: [String] = []
        @Option(name: .long, help: "The user the defender pulls as, at that registry.") var username: String?
        @Option(name: .long, help: "Its password (or DRYDOCK_REGISTRY_PASSWORD, or --password-stdin).") var password: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        @Option(name: .long, help: "notifications (the registry posts its events to Drydock) or none (listing only).") var events: String?
        @Option(name: .customLong("poll-interval"), help: "Seconds between listings of its catalog and tags (default 300; 3600 with notifications).")
        var pollInterval: Double?
        @Flag(name: .customLong("skip-tls-verify"), help: "Accept any TLS certificate from it.") var skipTLSVerify = false

        func body() throws -> [String: Any] {
            var body: [String: Any] = [:]
            if !include.isEmpty { body["include"] = include }
            if !exclude.isEmpty { body["exclude"] = exclude }
            if let username { body["username"] = username }
            var secret = password ?? ProcessInfo.processInfo.environment["DRYDOCK_REGISTRY_PASSWORD"]
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CLIError("--password-stdin: nothing on standard input") }
                secret = line
            }
            if let secret {
                guard username != nil else { throw CLIError("a password needs --username") }
                body["password"] = secret
            }
            if let events { body["events"] = events }
            if let pollInterval { body["pollIntervalSeconds"] = pollInterval }
            if skipTLSVerify { body["skipTLSVerify"] = true }
            return body
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
            for registry in subscription["registries"] as? [[String: Any]] ?? [] where registry["url"] != nil {
                var line = "  \(registry["name"] as? String ?? "?") \(registry["url"] as? String ?? ""): events \(registry["events"] as? String ?? "none")"
                line += ", last listing \(registry["lastPollAt"] as? String ?? "not yet")"
                if let event = registry["lastEventAt"] as? String { line += ", last event \(event)" }
                print(line)
                if let error = registry["lastError"] as? String { print("    error: \(error)") }
                if (registry["events"] as? String) == "none" { print("    pull times: \(registry["pullTimes"] as? String ?? "unknown")") }
            }
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
