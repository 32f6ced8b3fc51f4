import ArgumentParser
import Foundation

/// `drydock network …`: public access, IP rules and trusted services, changed without a restart.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Show or change the registry's network rules.", subcommands: [Show.self, Set.self, Rule.self])

    static func show(_ value: Any) {
        guard let n = value as? [String: Any] else { return }
        print("public access:     \(n["publicAccess"] as? String ?? "?")")
        print("default action:    \(n["defaultAction"] as? String ?? "?")")
        print("IP rules:          \((n["ipRules"] as? [String] ?? []).joined(separator: ", "))")
        print("trusted services:  \((n["trustedServices"] as? Bool ?? false) ? "on" : "off")")
        print("anonymous pull:    \((n["anonymousPull"] as? Bool ?? false) ? "on" : "off")")
        print("private endpoints: \((n["privateEndpoints"] as? [String] ?? []).joined(separator: ", "))")
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the network rules.")
        @OptionGroup var admin: AdminOptions
        func run() async throws { NetworkCommand.show(try await admin.client().call(.GET, "/admin/network")) }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change network settings (takes effect at once).")
        @Option(name: .customLong("public-access"), help: "enabled or disabled") var publicAccess: String?
        @Option(name: .customLong("default-action"), help: "allow or deny") var defaultAction: String?
        @Option(name: .customLong("trusted-services"), help: "on or off") var trustedServices: String?
        @Option(name: .customLong("anonymous-pull"), help: "on or off") var anonymousPull: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var body: [String: Any] = [:]
            if let publicAccess {
                guard ["enabled", "disabled"].contains(publicAccess) else { throw CLIError("--public-access takes enabled or disabled") }
                body["publicAccess"] = publicAccess
            }
            if let defaultAction {
                guard ["allow", "deny"].contains(defaultAction) else { throw CLIError("--default-action takes allow or deny") }
                body["defaultAction"] = defaultAction
            }
            func onOff(_ v: String, _ flag: String) throws -> Bool {
                switch v { case "on": return true; case "off": return false; default: throw CLIError("\(flag) takes on or off") }
            }
            if let trustedServices { body["trustedServices"] = try onOff(trustedServices, "--trusted-services") }
            if let anonymousPull { body["anonymousPull"] = try onOff(anonymousPull, "--anonymous-pull") }
            guard !body.isEmpty else { throw CLIError("nothing to change: give --public-access, --default-action, --trusted-services or --anonymous-pull") }
            NetworkCommand.show(try await admin.client().call(.PATCH, "/admin/network", body: body))
        }
    }

    struct Rule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rule", abstract: "Add or remove IP allow rules.", subcommands: [Add.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Allow a CIDR (IPv4 or IPv6).")
            @Argument var cidr: String
            @OptionGroup var admin: AdminOptions
            func run() async throws { NetworkCommand.show(try await admin.client().call(.POST, "/admin/network/rules", body: ["cidr": cidr])) }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an allowed CIDR.")
            @Argument var cidr: String
            @OptionGroup var admin: AdminOptions
            func run() async throws {
                NetworkCommand.show(try await admin.client().call(.DELETE, "/admin/network/rules?cidr=\(percentEncode(cidr))"))
            }
        }
    }
}
