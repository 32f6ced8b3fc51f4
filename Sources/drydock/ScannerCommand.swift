import ArgumentParser
import Foundation

/// `drydock defender scanner add|list|remove|use`: external scanners (Harbor scanner API
/// adapters) the defender sends images to, beside its own scan or instead of it.
struct ScannerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanner", abstract: "External scanners (Harbor pluggable scanner API) the defender also sends images to.",
        subcommands: [Add.self, List.self, Remove.self, Use.self])

    static func describe(_ mode: String) -> String {
        switch mode {
        case "both": "Drydock and every external scanner"
        case "external": "the external scanners only"
        default: "Drydock only"
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register an adapter by its base URL (…/api/v1).")
        @Argument(help: "A name for it (kept on its findings).") var name: String
        @Option(name: .long, help: "The adapter's base URL, e.g. http://trivy-adapter:8080/api/v1.") var url: String
        @Option(name: .long, help: "The Authorization value the adapter wants: 'Basic …' or 'Bearer …'.") var auth: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var body: [String: Any] = ["name": name, "url": url]
            if let auth { body["authorization"] = auth }
            _ = try await admin.client().call(.POST, "/admin/defender/scanners", body: body)
            print("scanner \(name) added; send a subscription's images to it with `drydock defender scanner use both`")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Registered scanners and each subscription's choice.")
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/defender/scanners")
            if output == .json { printJSON(value); return }
            let view = value as? [String: Any] ?? [:]
            var rows = [["SCANNER", "URL", "BY"]]
            for scanner in view["scanners"] as? [[String: Any]] ?? [] {
                rows.append([scanner["name"] as? String ?? "", scanner["url"] as? String ?? "", scanner["createdBy"] as? String ?? ""])
            }
            if rows.count > 1 { printTable(rows) } else { print("no external scanners (Drydock's own scanner only)") }
            for (subscription, mode) in (view["modes"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) {
                print("subscription \(subscription): \(ScannerCommand.describe(mode))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop sending images to a scanner.")
        @Argument(help: "The scanner's name.") var name: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            _ = try await admin.client().call(.DELETE, "/admin/defender/scanners/\(percentEncode(name))")
            print("scanner \(name) removed")
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "use", abstract: "builtin: Drydock alone; external: the external scanners alone; both: Drydock and every external scanner.")
        @Argument(help: "builtin, external or both") var mode: String
        @Option(name: .long, help: "The subscription (default: default).") var subscription: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var body: [String: Any] = ["mode": mode]
            if let subscription { body["subscription"] = subscription }
            _ = try await admin.client().call(.POST, "/admin/defender/scanners/use", body: body)
            print("subscription \(subscription ?? "default") now uses \(ScannerCommand.describe(mode)); its images are scanned again")
        }
    }
}
