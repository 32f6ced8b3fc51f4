import ArgumentParser
import Foundation

/// `drydock webhook add|list|remove|deliveries`: receivers of the defender's events, over the
/// admin API. Bodies are signed with the secret (docs/defender.md says how to check them).
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Send the defender's events (scans, findings, health) to a URL, signed.",
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a receiver.")
        @Argument(help: "The receiver's http or https URL.") var url: String
        @Option(name: .long, help: "Comma-separated: scan.completed, scan.failed, finding.new, finding.resolved, image.unhealthy, image.healthy.")
        var events: String
        @Option(name: .customLong("secret-file"), help: "A file holding the signing secret (16 characters or more).") var secretFile: String
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else { throw CLIError("cannot read --secret-file \(secretFile)") }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let list = events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let value = try await admin.client().call(.POST, "/admin/webhooks", body: ["url": url, "events": list, "secret": secret])
            if output == .json { printJSON(value); return }
            let webhook = value as? [String: Any] ?? [:]
            print("webhook \(webhook["id"] as? Int ?? 0) sends \((webhook["events"] as? [String] ?? []).joined(separator: ", ")) to \(url)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Registered receivers.")
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/webhooks")
            if output == .json { printJSON(value); return }
            let webhooks = (value as? [String: Any])?["webhooks"] as? [[String: Any]] ?? []
            if webhooks.isEmpty { print("no webhooks"); return }
            var rows = [["ID", "URL", "EVENTS", "BY"]]
            for webhook in webhooks {
                rows.append(["\(webhook["id"] as? Int ?? 0)", webhook["url"] as? String ?? "",
                             (webhook["events"] as? [String] ?? []).joined(separator: ","), webhook["createdBy"] as? String ?? ""])
            }
            printTable(rows)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop sending to a receiver (pending deliveries are dropped).")
        @Argument(help: "The webhook's ID.") var id: Int
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            _ = try await admin.client().call(.DELETE, "/admin/webhooks/\(id)")
            print("webhook \(id) removed")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "The delivery log, newest first, with each receiver's last answer.")
        @Argument(help: "Only this webhook's deliveries.") var id: Int?
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, id.map { "/admin/webhooks/\($0)/deliveries" } ?? "/admin/webhooks/deliveries")
            if output == .json { printJSON(value); return }
            let deliveries = (value as? [String: Any])?["deliveries"] as? [[String: Any]] ?? []
            if deliveries.isEmpty { print("no deliveries"); return }
            var rows = [["ID", "WEBHOOK", "EVENT", "STATE", "ATTEMPTS", "LAST", "CREATED"]]
            for delivery in deliveries {
                let last = (delivery["lastStatus"] as? Int).map { "HTTP \($0)" } ?? (delivery["lastError"] as? String).map { String($0.prefix(40)) } ?? "-"
                rows.append(["\(delivery["id"] as? Int ?? 0)", "\(delivery["webhookID"] as? Int ?? 0)", delivery["event"] as? String ?? "",
                             delivery["state"] as? String ?? "", "\(delivery["attempts"] as? Int ?? 0)", last,
                             String((delivery["createdAt"] as? String ?? "").prefix(19))])
            }
            printTable(rows)
        }
    }
}
