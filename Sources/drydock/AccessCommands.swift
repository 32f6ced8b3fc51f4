import ArgumentParser
import Foundation

/// `drydock token …`: repository-scoped tokens over the admin API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage repository-scoped tokens on a running registry.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token; its password is printed once.")
        @Argument(help: "Token name.") var name: String
        @Option(name: .long, help: "REPO-PATTERN=ACTIONS, e.g. 'team/*=pull,push' (repeatable; actions: pull, push, delete, metadata/read).")
        var scope: [String] = []
        @Option(name: .customLong("expires-in-days"), help: "Days until the token stops working.") var expiresInDays: Int?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard !scope.isEmpty else { throw CLIError("give at least one --scope REPO-PATTERN=ACTIONS") }
            let scopes: [[String: Any]] = try scope.map { text in
                guard let eq = text.lastIndex(of: "=") else { throw CLIError("--scope '\(text)' needs the form REPO-PATTERN=ACTIONS") }
                let actions = text[text.index(after: eq)...].split(separator: ",").map(String.init)
                return ["repository": String(text[..<eq]), "actions": actions]
            }
            var body: [String: Any] = ["name": name, "scopes": scopes]
            if let expiresInDays { body["expiresInDays"] = expiresInDays }
            let result = try await admin.client().call(.POST, "/admin/tokens", body: body) as? [String: Any]
            print("token \(name) created; password (shown once): \(result?["password"] as? String ?? "?")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens.")
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let result = try await admin.client().call(.GET, "/admin/tokens") as? [String: Any]
            let tokens = result?["tokens"] as? [[String: Any]] ?? []
            if json { printJSON(tokens); return }
            print("NAME\tENABLED\tEXPIRES\tSCOPES")
            for t in tokens {
                let scopes = (t["scopes"] as? [[String: Any]] ?? []).map {
                    "\($0["repository"] as? String ?? "")=\(($0["actions"] as? [String] ?? []).joined(separator: ","))"
                }.joined(separator: " ")
                print("\(t["name"] as? String ?? "")\t\(t["enabled"] as? Bool ?? false)\t\(t["expiresAt"] as? String ?? "never")\t\(scopes)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a token (takes effect at once).")
        @Argument var name: String
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            _ = try await admin.client().call(.POST, "/admin/tokens/\(percentEncode(name))/disable")
            print("token \(name) disabled")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled token.")
        @Argument var name: String
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            _ = try await admin.client().call(.POST, "/admin/tokens/\(percentEncode(name))/enable")
            print("token \(name) enabled")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a token.")
        @Argument var name: String
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            _ = try await admin.client().call(.DELETE, "/admin/tokens/\(percentEncode(name))")
            print("token \(name) deleted")
        }
    }
}

/// `drydock user …`: users with passwords (stored as salted PBKDF2 hashes).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users on a running registry.", subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a user (password from --user-password or DRYDOCK_NEW_USER_PASSWORD).")
        @Argument var name: String
        @Option(name: .customLong("user-password"), help: "The new user's password (at least 8 characters).") var userPassword: String?
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            guard let password = userPassword ?? ProcessInfo.processInfo.environment["DRYDOCK_NEW_USER_PASSWORD"] else {
                throw CLIError("give the new user's password with --user-password or DRYDOCK_NEW_USER_PASSWORD")
            }
            _ = try await admin.client().call(.POST, "/admin/users", body: ["name": name, "password": password])
            print("user \(name) created")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users, the admin and service identities.")
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let result = try await admin.client().call(.GET, "/admin/users") as? [String: Any]
            print("NAME\tKIND\tENABLED")
            for u in result?["users"] as? [[String: Any]] ?? [] {
                print("\(u["name"] as? String ?? "")\t\(u["kind"] as? String ?? "")\t\(u["enabled"] as? Bool ?? false)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a user.")
        @Argument var name: String
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            _ = try await admin.client().call(.DELETE, "/admin/users/\(percentEncode(name))")
            print("user \(name) deleted")
        }
    }
}
