import ArgumentParser
import Foundation

/// `drydock exemption add|list|remove`: risks accepted on purpose, over the admin API. Findings
/// an exemption covers show as `exempted` until it expires or is removed.
struct ExemptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exemption", abstract: "Accept a risk: show matching findings as exempted, with a justification and an expiry.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Exempt findings by vulnerability, package, repository pattern and/or severity (every criterion given must hold).")
        @Option(name: .long, help: "A vulnerability ID or alias (CVE-…, GHSA-…).") var vulnerability: String?
        @Option(name: .long, help: "A package name (binary or source package; case does not matter).") var package: String?
        @Option(name: .long, help: "Repositories matching this pattern ('team/*', 'apps/**').") var repository: String?
        @Option(name: .long, help: "Only findings up to this severity (NONE, LOW, MEDIUM, HIGH, CRITICAL).") var maxSeverity: String?
        @Option(name: .long, help: "Why the risk is accepted (required, except with --openvex).") var justification: String?
        @Option(name: .long, help: "YYYY-MM-DD (ends as that day starts, UTC) or an RFC 3339 time.") var expires: String?
        @Option(name: .long, help: "Take the not_affected and fixed statements of an OpenVEX document as exemptions.")
        var openvex: String?
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value: Any
            if let openvex {
                guard vulnerability == nil, package == nil, repository == nil, maxSeverity == nil, justification == nil, expires == nil else {
                    throw CLIError("--openvex takes its criteria and justifications from the document; give no other criteria with it")
                }
                guard let document = FileManager.default.contents(atPath: openvex) else { throw CLIError("cannot read \(openvex)") }
                let name = URL(fileURLWithPath: openvex).lastPathComponent
                let data = try await admin.client().raw(.POST, "/admin/exemptions/openvex?name=\(percentEncode(name))",
                                                        data: document, contentType: "application/json")
                value = (try? JSONSerialization.jsonObject(with: data)) ?? [:]
            } else {
                guard let justification else { throw CLIError("give --justification: why is this risk accepted?") }
                var body: [String: Any] = ["justification": justification]
                if let vulnerability { body["vulnerability"] = vulnerability }
                if let package { body["package"] = package }
                if let repository { body["repository"] = repository }
                if let maxSeverity { body["maxSeverity"] = maxSeverity }
                if let expires { body["expires"] = expires }
                value = try await admin.client().call(.POST, "/admin/exemptions", body: body)
            }
            if output == .json { printJSON(value); return }
            printExemptions((value as? [String: Any])?["exemptions"] as? [[String: Any]] ?? [])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Exemptions in force (with --all: expired and removed too).")
        @Flag(name: .long, help: "Also expired and removed exemptions.") var all = false
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/exemptions" + (all ? "?all=true" : ""))
            if output == .json { printJSON(value); return }
            let exemptions = (value as? [String: Any])?["exemptions"] as? [[String: Any]] ?? []
            if exemptions.isEmpty { print(all ? "no exemptions" : "no exemptions in force"); return }
            printExemptions(exemptions)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "End an exemption now: what it covered is open again.")
        @Argument(help: "The exemption's ID (from `drydock exemption list`).") var id: Int
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            _ = try await admin.client().call(.DELETE, "/admin/exemptions/\(id)")
            print("exemption \(id) removed")
        }
    }
}

private func printExemptions(_ exemptions: [[String: Any]]) {
    var rows = [["ID", "VULNERABILITY", "PACKAGE", "REPOSITORY", "UP TO", "EXPIRES", "STATE", "BY", "JUSTIFICATION"]]
    for exemption in exemptions {
        let state: String
        if exemption["removedAt"] is String {
            state = "removed"
        } else {
            state = exemption["active"] as? Bool == false ? "expired" : "in force"
        }
        rows.append([
            "\(exemption["id"] as? Int ?? 0)", exemption["vulnerability"] as? String ?? "*",
            exemption["package"] as? String ?? exemption["purl"] as? String ?? "*", exemption["repository"] as? String ?? "*",
            exemption["maxSeverity"] as? String ?? "any", String((exemption["expiresAt"] as? String ?? "never").prefix(10)), state,
            exemption["createdBy"] as? String ?? "", String((exemption["justification"] as? String ?? "").prefix(60)),
        ])
    }
    printTable(rows)
}
