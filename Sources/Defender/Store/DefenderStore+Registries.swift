import Foundation
import NIOCore
import SQLiteNIO

/// The registries of the subscriptions: the local one (the registry this process serves) and
/// enrolled ones (another Drydock, a CNCF Distribution, any OCI registry), with where they are,
/// the defender's credentials for them (the password sealed by `SecretBox`), how the defender
/// hears of their pushes, and how its last contact with them went.
extension DefenderStore {
    /// Columns of `defender_registries` added for enrolled registries.
    static let registryColumns = [
        ("defender_registries", "url", "TEXT"),
        ("defender_registries", "username", "TEXT"),
        ("defender_registries", "secret", "BLOB"),
        ("defender_registries", "events", "TEXT NOT NULL DEFAULT 'none'"),
        ("defender_registries", "poll_interval", "REAL"),
        ("defender_registries", "skip_tls_verify", "INTEGER NOT NULL DEFAULT 0"),
        ("defender_registries", "last_poll_at", "REAL"),
        ("defender_registries", "last_event_at", "REAL"),
        ("defender_registries", "last_error", "TEXT"),
        ("defender_registries", "last_error_at", "REAL"),
        ("defender_registries", "created_at", "REAL"),
    ]

    public struct RegistrySettings: Sendable, Encodable {
        public var name: String
        public var subscription: String
        /// `drydock` (the local registry, or another Drydock), `distribution`, or `oci`.
        public var kind: String
        public var include: [String]
        public var exclude: [String]
        /// Where an enrolled registry is (`https://host:port`); nil for the local registry.
        public var url: String?
        public var username: String?
        /// The sealed password (never answered back: only `hasPassword` is).
        public var secret: Data?
        /// How pushes and pulls are heard of: `registry` (the local registry's own events),
        /// `notifications` (the registry posts its events to Drydock), or `none` (polling only).
        public var events: String
        /// Seconds between two listings of its catalog and tags (nil: never polled).
        public var pollInterval: Double?
        public var skipTLSVerify: Bool
        public var lastPollAt: Double?
        public var lastEventAt: Double?
        public var lastError: String?
        public var lastErrorAt: Double?

        public var isLocal: Bool { url == nil }
        /// Whether pull times come from the registry: without them every image it holds stays
        /// inside the re-evaluation window.
        public var knowsPulls: Bool { events != "none" }

        enum CodingKeys: String, CodingKey {
            case name, subscription, kind, include, exclude, url, username, hasPassword, events, pollIntervalSeconds
            case skipTLSVerify, lastPollAt, lastEventAt, lastError, lastErrorAt, pullTimes
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(subscription, forKey: .subscription)
            try c.encode(kind, forKey: .kind)
            try c.encode(include, forKey: .include)
            try c.encode(exclude, forKey: .exclude)
            try c.encode(events, forKey: .events)
            try c.encode(knowsPulls ? "from the registry's events"
                         : "unknown: the registry tells nothing of pulls, so every image it holds is re-evaluated", forKey: .pullTimes)
            guard !isLocal else { return }
            try c.encodeIfPresent(url, forKey: .url)
            try c.encodeIfPresent(username, forKey: .username)
            try c.encode(secret != nil, forKey: .hasPassword)
            try c.encodeIfPresent(pollInterval, forKey: .pollIntervalSeconds)
            try c.encode(skipTLSVerify, forKey: .skipTLSVerify)
            try c.encodeIfPresent(lastPollAt.map(Time.iso), forKey: .lastPollAt)
            try c.encodeIfPresent(lastEventAt.map(Time.iso), forKey: .lastEventAt)
            try c.encodeIfPresent(lastError, forKey: .lastError)
            try c.encodeIfPresent(lastErrorAt.map(Time.iso), forKey: .lastErrorAt)
        }
    }

    public func registries() async throws -> [RegistrySettings] {
        try await reader.query("SELECT * FROM defender_registries ORDER BY name").map(Self.registry)
    }

    public func registry(named name: String) async throws -> RegistrySettings? {
        try await reader.query("SELECT * FROM defender_registries WHERE name = ?", [.text(name)]).first.map(Self.registry)
    }

    private static func registry(_ row: SQLiteRow) -> RegistrySettings {
        let url = row.string("url")
        return RegistrySettings(
            name: row.string("name") ?? "", subscription: row.string("subscription") ?? "", kind: row.string("kind") ?? "",
            include: row.decode("include_patterns", as: [String].self) ?? [],
            exclude: row.decode("exclude_patterns", as: [String].self) ?? [],
            url: url, username: row.string("username"), secret: row.data("secret"),
            // The local registry's events come from inside the process.
            events: url == nil ? "registry" : (row.string("events") ?? "none"),
            pollInterval: row.double("poll_interval"), skipTLSVerify: row.int("skip_tls_verify") == 1,
            lastPollAt: row.double("last_poll_at"), lastEventAt: row.double("last_event_at"),
            lastError: row.string("last_error"), lastErrorAt: row.double("last_error_at"))
    }

    /// Enrols a registry in a subscription (made, plan on, if it does not exist yet).
    public func addRegistry(_ settings: RegistrySettings, now: Double) async throws {
        try await transaction {
            _ = try await writer.query("INSERT OR IGNORE INTO defender_subscriptions (name, enabled, changed_at) VALUES (?, 1, ?)",
                                       [.text(settings.subscription), .float(now)])
            let rows = try await writer.query("""
                INSERT INTO defender_registries (name, subscription, kind, include_patterns, exclude_patterns, url, username, secret,
                  events, poll_interval, skip_tls_verify, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING name
                """, [.text(settings.name), .text(settings.subscription), .text(settings.kind), .json(settings.include),
                      .json(settings.exclude), .optional(settings.url), .optional(settings.username),
                      settings.secret.map { .blob(ByteBuffer(bytes: $0)) } ?? .null, .text(settings.events),
                      .optional(settings.pollInterval), .integer(settings.skipTLSVerify ? 1 : 0), .float(now)])
            guard !rows.isEmpty else { throw DefenderError(.conflict, "a registry named '\(settings.name)' exists") }
        }
    }

    /// Replaces an enrolled registry's connection settings and patterns (credentials included).
    public func updateRegistry(_ settings: RegistrySettings) async throws {
        _ = try await write("""
            UPDATE defender_registries SET include_patterns = ?, exclude_patterns = ?, url = ?, username = ?, secret = ?, events = ?,
              poll_interval = ?, skip_tls_verify = ?, last_error = NULL, last_error_at = NULL WHERE name = ?
            """, [.json(settings.include), .json(settings.exclude), .optional(settings.url), .optional(settings.username),
                  settings.secret.map { .blob(ByteBuffer(bytes: $0)) } ?? .null, .text(settings.isLocal ? "none" : settings.events),
                  .optional(settings.pollInterval), .integer(settings.skipTLSVerify ? 1 : 0), .text(settings.name)])
    }

    /// Removes an enrolled registry and forgets its images (their findings go with them).
    public func removeRegistry(name: String, now: Double) async throws -> Bool {
        let removed = try await transaction {
            let rows = try await writer.query("DELETE FROM defender_registries WHERE name = ? AND url IS NOT NULL RETURNING name", [.text(name)])
            guard !rows.isEmpty else { return false }
            _ = try await writer.query("UPDATE defender_images SET deleted_at = ? WHERE registry = ? AND deleted_at IS NULL",
                                       [.float(now), .text(name)])
            _ = try await writer.query("DELETE FROM defender_tags WHERE registry = ?", [.text(name)])
            _ = try await writer.query("""
                DELETE FROM defender_jobs WHERE image_id IN (SELECT id FROM defender_images WHERE registry = ?)
                """, [.text(name)])
            return true
        }
        return removed
    }

    public func setPatterns(registry: String, include: [String], exclude: [String]) async throws -> Bool {
        let rows = try await write("""
            UPDATE defender_registries SET include_patterns = ?, exclude_patterns = ? WHERE name = ? RETURNING name
            """, [.json(include), .json(exclude), .text(registry)])
        return !rows.isEmpty
    }

    /// How the last contact with an enrolled registry went: a listing (`polled`), a notification
    /// (`event`), or a failure with the registry's answer (`error`, kept until a success).
    public enum RegistryContact: Sendable {
        case polled, event
        case error(String)
    }

    public func recordContact(registry: String, _ contact: RegistryContact, now: Double) async throws {
        switch contact {
        case .polled:
            _ = try await write("UPDATE defender_registries SET last_poll_at = ?, last_error = NULL, last_error_at = NULL WHERE name = ?",
                                [.float(now), .text(registry)])
        case .event:
            _ = try await write("UPDATE defender_registries SET last_event_at = ? WHERE name = ?", [.float(now), .text(registry)])
        case .error(let message):
            _ = try await write("UPDATE defender_registries SET last_poll_at = ?, last_error = ?, last_error_at = ? WHERE name = ?",
                                [.float(now), .text(String(message.prefix(500))), .float(now), .text(registry)])
        }
    }
}
