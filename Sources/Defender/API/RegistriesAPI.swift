import Foundation

/// `/admin/defender/registries`: the registries of the subscriptions. The local registry is
/// always there; others are enrolled with a URL and the credentials the defender pulls with
/// (the password is sealed at once and never answered back). Enrolled registries post their
/// notifications to `…/registries/NAME/events` and are listed on their poll interval or on
/// `…/registries/NAME/poll`.
struct RegistriesAPI {
    let defender: Defender

    struct ListView: Encodable { var registries: [DefenderStore.RegistrySettings] }

    static let kinds: Set<String> = ["drydock", "distribution", "oci"]
    static let eventModes: Set<String> = ["notifications", "none"]

    func list() async throws -> ListView {
        ListView(registries: try await defender.store.registries())
    }

    func add(_ fields: [String: Any], identity: String) async throws -> ListView {
        guard let name = fields["name"] as? String, name.range(of: "^[a-z0-9][a-z0-9._-]{0,63}$", options: .regularExpression) != nil,
              name != DefenderConfiguration.localRegistry else {
            throw DefenderError(.invalid, "name must be 1-64 lower-case letters, digits, '.', '_' or '-' (and not 'local')")
        }
        guard let url = fields["url"] as? String else { throw DefenderError(.invalid, "url is required: the registry's https://HOST[:PORT]") }
        let subscription = try text(fields, "subscription", pattern: "^[a-z0-9][a-z0-9._-]{0,63}$",
                                    problem: "subscription must be 1-64 lower-case letters, digits, '.', '_' or '-'")
            ?? DefenderConfiguration.defaultSubscription
        let kind = try choice(fields, "kind", Self.kinds) ?? "oci"
        var settings = DefenderStore.RegistrySettings(
            name: name, subscription: subscription, kind: kind, include: try patterns(fields, "include") ?? [],
            exclude: try patterns(fields, "exclude") ?? [], url: try EnrolledRegistry.normalise(url), username: nil, secret: nil,
            events: try choice(fields, "events", Self.eventModes) ?? "none", pollInterval: try interval(fields),
            skipTLSVerify: try flag(fields, "skipTLSVerify") ?? false)
        try applyCredentials(fields, to: &settings)
        try await defender.store.addRegistry(settings, now: defender.now)
        defender.logger.notice("registry enrolled", metadata: ["name": "\(name)", "url": "\(settings.url ?? "")",
                                                               "subscription": "\(subscription)", "by": "\(identity)"])
        return try await list()
    }

    func update(_ name: String, _ fields: [String: Any], identity: String) async throws -> ListView {
        guard var settings = try await defender.store.registry(named: name) else {
            throw DefenderError(.notFound, "no registry '\(name.prefix(100))'")
        }
        settings.include = try patterns(fields, "include") ?? settings.include
        settings.exclude = try patterns(fields, "exclude") ?? settings.exclude
        let connection: Set<String> = ["url", "username", "password", "events", "pollIntervalSeconds", "skipTLSVerify"]
        if settings.isLocal {
            guard connection.isDisjoint(with: fields.keys) else {
                throw DefenderError(.invalid, "the local registry is reached through this server's own listener: only include and exclude apply")
            }
        } else {
            if let url = fields["url"] as? String { settings.url = try EnrolledRegistry.normalise(url) }
            settings.events = try choice(fields, "events", Self.eventModes) ?? settings.events
            settings.pollInterval = try interval(fields) ?? settings.pollInterval
            settings.skipTLSVerify = try flag(fields, "skipTLSVerify") ?? settings.skipTLSVerify
            if fields["username"] != nil || fields["password"] != nil {
                // A new password alone is for the user enrolled before; a new user needs its own.
                var given = fields
                if given["username"] == nil, let username = settings.username { given["username"] = username }
                settings.username = nil
                settings.secret = nil
                try applyCredentials(given, to: &settings)
            }
        }
        try await defender.store.updateRegistry(settings)
        defender.logger.notice("registry settings changed", metadata: ["name": "\(name)", "by": "\(identity)"])
        // Patterns may now cover images recorded before, or leave some out.
        try await defender.reconcile()
        return try await list()
    }

    func remove(_ name: String, identity: String) async throws -> ListView {
        if name == DefenderConfiguration.localRegistry {
            throw DefenderError(.invalid, "the local registry cannot be removed (exclude its repositories, or disable the plan)")
        }
        guard try await defender.store.removeRegistry(name: name, now: defender.now) else {
            throw DefenderError(.notFound, "no enrolled registry '\(name.prefix(100))'")
        }
        defender.logger.notice("registry removed", metadata: ["name": "\(name)", "by": "\(identity)"])
        return try await list()
    }

    // MARK: Fields

    /// The username and password (sealed with the server's secret key).
    private func applyCredentials(_ fields: [String: Any], to settings: inout DefenderStore.RegistrySettings) throws {
        let username = try text(fields, "username", pattern: "^[^:\\p{Cc}]{1,256}$", problem: "username must be 1-256 characters without ':'")
        let password = fields["password"]
        if password != nil && username == nil { throw DefenderError(.invalid, "a password needs a username") }
        settings.username = username
        if let password {
            guard let password = password as? String, !password.isEmpty, password.utf8.count <= 8192 else {
                throw DefenderError(.invalid, "password must be a non-empty string")
            }
            settings.secret = try defender.secretBox().seal(password, context: Defender.secretContext(registry: settings.name))
        }
    }

    private func text(_ fields: [String: Any], _ key: String, pattern: String, problem: String) throws -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value as? String, text.range(of: pattern, options: .regularExpression) != nil else {
            throw DefenderError(.invalid, problem)
        }
        return text
    }

    private func choice(_ fields: [String: Any], _ key: String, _ allowed: Set<String>) throws -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value as? String, allowed.contains(text) else {
            throw DefenderError(.invalid, "\(key) must be one of \(allowed.sorted().joined(separator: ", "))")
        }
        return text
    }

    private func flag(_ fields: [String: Any], _ key: String) throws -> Bool? {
        guard let value = fields[key] else { return nil }
        guard let bool = value as? Bool else { throw DefenderError(.invalid, "\(key) must be true or false") }
        return bool
    }

    private func interval(_ fields: [String: Any]) throws -> Double? {
        guard let value = fields["pollIntervalSeconds"] else { return nil }
        guard let number = value as? NSNumber, (10...604_800).contains(number.doubleValue) else {
            throw DefenderError(.invalid, "pollIntervalSeconds must be a number of seconds from 10 to 604800 (a week)")
        }
        return number.doubleValue
    }

    func patterns(_ fields: [String: Any], _ key: String) throws -> [String]? {
        guard let value = fields[key] else { return nil }
        guard let list = value as? [String], list.count <= 1000, list.allSatisfy({ !$0.isEmpty && $0.count <= 255 }) else {
            throw DefenderError(.invalid, "\(key) must be a list of repository patterns")
        }
        return list
    }
}
