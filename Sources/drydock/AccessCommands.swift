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
            var body: [String: Any] = ["name": name, "scopes": try scopeRules(scope)]
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
                print("\(t["name"] as? String ?? "")\t\(t["enabled"] as? Bool ?? false)\t\(t["expiresAt"] as? String ?? "never")\t\(scopeText(t))")
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
        commandName: "user", abstract: "Manage users on a running registry.",
        subcommands: [Create.self, Update.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a user (password from --user-password or DRYDOCK_NEW_USER_PASSWORD).")
        @Argument var name: String
        @Option(name: .customLong("user-password"), help: "The new user's password (at least 8 characters).") var userPassword: String?
        @Option(name: .long, help: "REPO-PATTERN=ACTIONS the user is limited to (repeatable); without it, everything on every repository.")
        var scope: [String] = []
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            guard let password = userPassword ?? ProcessInfo.processInfo.environment["DRYDOCK_NEW_USER_PASSWORD"] else {
                throw CLIError("give the new user's password with --user-password or DRYDOCK_NEW_USER_PASSWORD")
            }
            var body: [String: Any] = ["name": name, "password": password]
            if !scope.isEmpty { body["scopes"] = try scopeRules(scope) }
            _ = try await admin.client().call(.POST, "/admin/users", body: body)
            print("user \(name) created")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a user's scopes and/or password.")
        @Argument var name: String
        @Option(name: .customLong("user-password"), help: "A new password (at least 8 characters).") var userPassword: String?
        @Option(name: .long, help: "REPO-PATTERN=ACTIONS replacing the user's scopes (repeatable); '*=pull,push,delete,metadata/read' restores everything.")
        var scope: [String] = []
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            var body: [String: Any] = [:]
            if let userPassword { body["password"] = userPassword }
            if !scope.isEmpty { body["scopes"] = try scopeRules(scope) }
            guard !body.isEmpty else { throw CLIError("give --scope and/or --user-password") }
            let result = try await admin.client().call(.PATCH, "/admin/users/\(percentEncode(name))", body: body) as? [String: Any]
            print("user \(name) updated; scopes: \(result.map(scopeText) ?? "?")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users, the admin and service identities.")
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            let result = try await admin.client().call(.GET, "/admin/users") as? [String: Any]
            print("NAME\tKIND\tENABLED\tSCOPES")
            for u in result?["users"] as? [[String: Any]] ?? [] {
                print("\(u["name"] as? String ?? "")\t\(u["kind"] as? String ?? "")\t\(u["enabled"] as? Bool ?? false)\t\(scopeText(u))")
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

/// `--scope REPO-PATTERN=ACTIONS` options as the admin API's scope objects.
func scopeRules(_ options: [String]) throws -> [[String: Any]] {
    try options.map { text in
        guard let eq = text.lastIndex(of: "=") else { throw CLIError("--scope '\(text)' needs the form REPO-PATTERN=ACTIONS") }
        let actions = text[text.index(after: eq)...].split(separator: ",").map(String.init)
        return ["repository": String(text[..<eq]), "actions": actions]
    }
}

/// An identity's scopes as `pattern=actions` words, the form `--scope` takes.
func scopeText(_ identity: [String: Any]) -> String {
    (identity["scopes"] as? [[String: Any]] ?? []).map {
        "\($0["repository"] as? String ?? "")=\(($0["actions"] as? [String] ?? []).joined(separator: ","))"
    }.joined(separator: " ")
}
