import Crypto
import Foundation
import Logging
import Synchronization

/// The access state of one registry: identities, network rules, log settings and the log buffer.
/// Everything a request needs is held in memory and written through to SQLite when an admin
/// changes it, so the request path never reads the database. The log buffer has its own lock and
/// the logs switch is an atomic, so recording a row never waits for an authentication (or the
/// other way round) when both event loops are busy.
public final class AccessController: Sendable {
    public struct Configuration: Sendable {
        /// The `service` of token challenges and the audience of issued tokens.
        public var service: String = "drydock"
        public var issuer: String = "drydock"
        /// Seconds an access token lives (clients fetch a new one when it runs out).
        public var tokenLifetime: Int = 300
        public var refreshLifetime: Int = 30 * 24 * 3600
        /// Peers whose `X-Forwarded-For` is believed.
        public var trustedProxies: [CIDR] = []
        public init() {}
    }

    struct State {
        var identities: [String: StoredIdentity] = [:]
        var logSettings = ResourceLogSettings()
        var verifiedPasswords: [String: Double] = [:]
        var verifiedBearers: [BearerKey: (Identity, Int64)] = [:]
        /// The last flush started: flushes run one after another, so a query that flushes first
        /// also waits for a housekeeping flush already writing (read-your-writes for the admin).
        var flushTail: Task<Void, Never>?
    }

    /// Rows recorded since the last flush, already rendered per table as back-to-back JSONB
    /// arrays (`ResourceLogRows`). Bytes rather than events: a row costs one short append under
    /// the lock, and no per-row objects (a dozen strings each) live until the flush only to be
    /// freed there, on another thread.
    struct LogBuffer {
        var login: [UInt8] = []
        var repository: [UInt8] = []
        var count = 0
        static let cap = 100_000

        /// Appends one rendered row. Rows are rendered before the lock is taken: the shorter it
        /// is held, the less often the other event-handling thread finds it taken and sleeps.
        mutating func append(_ table: ResourceLogTable, _ row: UnsafeBufferPointer<UInt8>) {
            guard count < Self.cap else { return }
            count += 1
            switch table {
            case .loginEvents: login.append(contentsOf: row)
            case .repositoryEvents: repository.append(contentsOf: row)
            }
        }

        /// Appends another buffer's rows after these; when that would pass the cap, the other
        /// (newer) rows are dropped, as `append` drops rows once the buffer is full.
        mutating func append(contentsOf newer: LogBuffer) {
            guard count + newer.count <= Self.cap else { return }
            count += newer.count
            login.append(contentsOf: newer.login)
            repository.append(contentsOf: newer.repository)
        }

        /// Empties the buffer but keeps its memory, for reuse by a later flush.
        mutating func removeAll() {
            login.removeAll(keepingCapacity: true)
            repository.removeAll(keepingCapacity: true)
            count = 0
        }
    }

    public let configuration: Configuration
    let store: AccessStore
    let signer: TokenSigner
    let state: Locked<State>
    /// The network rules under a lock of their own: every request reads them, and sharing the
    /// identities' lock doubled the chances that two event-handling threads meet in it.
    let network: Locked<NetworkRules>
    let logBuffer = Locked(LogBuffer())
    /// The buffer the last successful flush wrote, emptied: the next flush swaps it in, so the
    /// buffers' memory is reused instead of megabytes of fresh pages being faulted in each second.
    let spareLogBuffer = Locked(LogBuffer())
    /// Mirrors `logSettings.enabled` for the request path (read on every request, written rarely).
    let logsOn = Atomic<Bool>(true)
    let logger: Logger
    /// The admin password when it was generated on this start (print it once), else nil.
    public let generatedAdminPassword: String?
    /// The built-in defender's secret, rotated on every start and handed to it in-process.
    public let defenderPassword: String

    public static let reservedNames: Set<String> = ["admin", Identity.defenderName]

    /// Opens (and on first use creates) the access tables in `databasePath`. `adminPassword`
    /// replaces the stored admin password when given.
    public static func open(databasePath: String, adminPassword: String?, configuration: Configuration = .init(),
                            logger: Logger) async throws -> AccessController {
        let store = try await AccessStore.open(path: databasePath, logger: logger)
        do {
            return try await open(store: store, adminPassword: adminPassword, configuration: configuration, logger: logger)
        } catch {
            await store.close()
            throw error
        }
    }

    private static func open(store: AccessStore, adminPassword: String?, configuration: Configuration,
                             logger: Logger) async throws -> AccessController {
        var identities = Dictionary(uniqueKeysWithValues: try await store.identities().map { ($0.name, $0) })
        let now = Date().timeIntervalSince1970
        var generated: String?
        if identities["admin"] == nil || adminPassword != nil {
            let password = adminPassword ?? PasswordHash.randomSecret()
            if adminPassword == nil { generated = password }
            let admin = StoredIdentity(name: "admin", kind: .admin, passwordHash: try PasswordHash.make(password),
                                       scopes: .everything, trusted: false, enabled: true, expiresAt: nil,
                                       createdAt: identities["admin"]?.createdAt ?? now)
            try await store.upsert(admin)
            identities["admin"] = admin
        }
        let defenderPassword = PasswordHash.randomSecret()
        let defender = StoredIdentity(
            name: Identity.defenderName, kind: .service,
            // A random secret of 190 bits needs no key stretching; fewer rounds keep start-up quick.
            passwordHash: try PasswordHash.make(defenderPassword, rounds: 1000),
            scopes: ScopeMap([ScopeRule(repository: "*", actions: [.pull, .metadataRead])]),
            trusted: true, enabled: true, expiresAt: nil, createdAt: identities[Identity.defenderName]?.createdAt ?? now)
        try await store.upsert(defender)
        identities[defender.name] = defender

        var secret: Data
        if let stored = try await store.setting("token_signing_key"), let data = Data(base64Encoded: stored), data.count >= 32 {
            secret = data
        } else {
            secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            try await store.setSetting("token_signing_key", secret.base64EncodedString())
        }
        var state = State()
        state.identities = identities
        var network = NetworkRules()
        if let json = try await store.setting("network_rules"), let rules = try? JSONDecoder().decode(NetworkRules.self, from: Data(json.utf8)) {
            network = rules
        }
        if let json = try await store.setting("log_settings"),
           let settings = try? JSONDecoder().decode(ResourceLogSettings.self, from: Data(json.utf8)) {
            state.logSettings = settings
        }
        return AccessController(configuration: configuration, store: store,
                                signer: await TokenSigner(secret: secret, issuer: configuration.issuer),
                                state: Locked(state), network: network, logger: logger, generatedAdminPassword: generated,
                                defenderPassword: defenderPassword)
    }

    private init(configuration: Configuration, store: AccessStore, signer: TokenSigner, state: Locked<State>,
                 network: NetworkRules, logger: Logger, generatedAdminPassword: String?, defenderPassword: String) {
        self.configuration = configuration
        self.network = Locked(network)
        self.store = store
        self.signer = signer
        self.logsOn.store(state.withLock { $0.logSettings.enabled }, ordering: .relaxed)
        self.state = state
        self.logger = logger
        self.generatedAdminPassword = generatedAdminPassword
        self.defenderPassword = defenderPassword
    }

    public func close() async {
        await flushLogs()
        await store.close()
    }

    // MARK: Settings

    public var networkRules: NetworkRules { network.withLock { $0 } }

    public func setNetworkRules(_ rules: NetworkRules) async throws {
        var normalised = rules
        normalised.ipRules = []
        for rule in rules.ipRules {
            do { normalised.ipRules.append(try CIDR(rule).description) } catch { throw AccessError(.invalid, error.description) }
        }
        var seen = Set<String>()
        normalised.ipRules = normalised.ipRules.filter { seen.insert($0).inserted }
        let json = String(decoding: try JSONEncoder().encode(normalised), as: UTF8.self)
        try await store.setSetting("network_rules", json)
        network.withLock { $0 = normalised }
    }

    public var logSettings: ResourceLogSettings { state.withLock { $0.logSettings } }

    public func setLogSettings(_ settings: ResourceLogSettings) async throws {
        guard (1...3650).contains(settings.retentionDays) else {
            throw AccessError(.invalid, "retentionDays must be between 1 and 3650")
        }
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        try await store.setSetting("log_settings", json)
        state.withLock { $0.logSettings = settings }
        logsOn.store(settings.enabled, ordering: .relaxed)
    }

    /// Whether resource logs are collected now: an atomic load, for the request path.
    public var logsEnabled: Bool { logsOn.load(ordering: .relaxed) }

    /// The caller's address: the peer, or the left-most `X-Forwarded-For` entry when the peer is
    /// a configured trusted proxy.
    public func callerAddress(peer: String?, forwardedFor: String?) -> IPAddress? {
        callerAddress(peerAddress: peer.flatMap(IPAddress.init), forwardedFor: forwardedFor)
    }

    public func callerAddress(peerAddress: IPAddress?, forwardedFor: String?) -> IPAddress? {
        guard let peerAddress, let forwardedFor, configuration.trustedProxies.contains(where: { $0.contains(peerAddress) }),
              let first = forwardedFor.split(separator: ",").first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              let forwarded = IPAddress(first)
        else { return peerAddress }
        return forwarded
    }

    // MARK: Identities (admin operations)

    public func identities(kind: IdentityKind? = nil) -> [StoredIdentity] {
        state.withLock { Array($0.identities.values) }.filter { kind == nil || $0.kind == kind }.sorted { $0.name < $1.name }
    }

    static func validateName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 64,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }),
              name.first?.isLetter == true || name.first?.isNumber == true
        else { throw AccessError(.invalid, "name '\(name.prefix(64))' must be 1–64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit") }
        guard !reservedNames.contains(name) else { throw AccessError(.conflict, "'\(name)' is a built-in identity") }
    }

    /// Creates a repository-scoped token; returns it with its generated password (shown once).
    public func createToken(name: String, scopes: ScopeMap, expiresAt: Double?) async throws -> (StoredIdentity, String) {
        try Self.validateName(name)
        try Self.validateScopes(scopes, of: "a token")
        if let expiresAt, expiresAt <= Date().timeIntervalSince1970 { throw AccessError(.invalid, "the expiry is in the past") }
        guard state.withLock({ $0.identities[name] }) == nil else { throw AccessError(.conflict, "an identity named '\(name)' exists") }
        let password = PasswordHash.randomSecret()
        let token = StoredIdentity(name: name, kind: .token, passwordHash: try PasswordHash.make(password), scopes: scopes,
                                   trusted: false, enabled: true, expiresAt: expiresAt, createdAt: Date().timeIntervalSince1970)
        try await store.upsert(token)
        state.withLock { $0.identities[name] = token }
        return (token, password)
    }

    static func validateScopes(_ scopes: ScopeMap, of what: String) throws {
        guard !scopes.rules.isEmpty else { throw AccessError(.invalid, "\(what) needs at least one scope (repository pattern and actions)") }
        for rule in scopes.rules {
            guard ScopeMap.validatePattern(rule.repository) else {
                throw AccessError(.invalid, "'\(rule.repository.prefix(100))' is not a repository pattern (lowercase name characters and '*')")
            }
            guard !rule.actions.isEmpty else { throw AccessError(.invalid, "the scope for '\(rule.repository)' grants no actions") }
        }
    }

    static func validatePassword(_ password: String) throws {
        guard password.count >= 8 else { throw AccessError(.invalid, "a password needs at least 8 characters") }
    }

    /// Creates a user. Without `scopes` the user may do everything on every repository (a team
    /// member); with them, only what they grant (a CI user limited to its project, say).
    public func createUser(name: String, password: String, scopes: ScopeMap? = nil) async throws -> StoredIdentity {
        try Self.validateName(name)
        try Self.validatePassword(password)
        if let scopes { try Self.validateScopes(scopes, of: "a user") }
        guard state.withLock({ $0.identities[name] }) == nil else { throw AccessError(.conflict, "an identity named '\(name)' exists") }
        let user = StoredIdentity(name: name, kind: .user, passwordHash: try PasswordHash.make(password), scopes: scopes ?? .everything,
                                  trusted: false, enabled: true, expiresAt: nil, createdAt: Date().timeIntervalSince1970)
        try await store.upsert(user)
        state.withLock { $0.identities[name] = user }
        return user
    }

    /// Changes a user's password and/or scopes. Takes effect at once for Basic authentication and
    /// for new bearer tokens; bearer tokens already issued keep the grants they carry until they
    /// expire (`tokenLifetime`, five minutes by default), as with any registry token service.
    public func updateUser(name: String, password: String?, scopes: ScopeMap?) async throws -> StoredIdentity {
        guard var user = state.withLock({ $0.identities[name] }), user.kind == .user else {
            throw AccessError(.notFound, "no user named '\(name.prefix(64))'")
        }
        if let password {
            try Self.validatePassword(password)
            user.passwordHash = try PasswordHash.make(password)
        }
        if let scopes {
            try Self.validateScopes(scopes, of: "a user")
            user.scopes = scopes
        }
        try await store.upsert(user)
        state.withLock { [user] in $0.identities[name] = user; $0.verifiedPasswords.removeAll() }
        return user
    }

    public func setEnabled(name: String, kind: IdentityKind, enabled: Bool) async throws -> StoredIdentity {
        guard var identity = state.withLock({ $0.identities[name] }), identity.kind == kind else {
            throw AccessError(.notFound, "no \(kind.rawValue) named '\(name.prefix(64))'")
        }
        identity.enabled = enabled
        try await store.upsert(identity)
        state.withLock { $0.identities[name] = identity; $0.verifiedPasswords.removeAll() }
        return identity
    }

    public func delete(name: String, kind: IdentityKind) async throws {
        guard let identity = state.withLock({ $0.identities[name] }), identity.kind == kind else {
            throw AccessError(.notFound, "no \(kind.rawValue) named '\(name.prefix(64))'")
        }
        try await store.delete(name: name)
        state.withLock { $0.identities[name] = nil; $0.verifiedPasswords.removeAll() }
    }

    // MARK: Resource logs

    /// Buffers a row (when logs are on); `flushLogs` writes the buffer in one transaction.
    public func record(_ table: ResourceLogTable, _ event: ResourceLogEvent) {
        guard logsEnabled else { return }
        // Rendered outside the lock, copied into the buffer under it.
        ResourceLogRows.withRow(event) { row in logBuffer.withLock { $0.append(table, row) } }
    }

    public func flushLogs() async {
        let task = state.withLock { s -> Task<Void, Never> in
            let previous = s.flushTail
            let next = Task {
                await previous?.value
                await self.writePendingEvents()
            }
            s.flushTail = next
            return next
        }
        await task.value
    }

    private func writePendingEvents() async {
        // The next buffers (the spare, else new ones) are sized like the last ones outside the
        // lock, so that appends under load rarely grow (and copy) them while other requests wait.
        let sizes = logBuffer.withLock { ($0.login.count, $0.repository.count) }
        guard sizes != (0, 0) else { return }
        var next = spareLogBuffer.withLock { spare in
            var taken = LogBuffer()
            swap(&spare, &taken)
            return taken
        }
        // Half as much again: a flush that runs late must not make appends regrow (and copy) a
        // megabyte buffer under the lock.
        next.login.reserveCapacity(sizes.0 + sizes.0 / 2)
        next.repository.reserveCapacity(sizes.1 + sizes.1 / 2)
        var batch = logBuffer.withLock { buffer in
            swap(&buffer, &next)
            return next
        }
        do {
            try await store.insert([(.loginEvents, batch.login), (.repositoryEvents, batch.repository)])
            // Kept for reuse unless a burst left it far larger than what it held: memory grown for
            // one stalled second is given back rather than kept for the life of the process.
            let oversized = max(batch.login.capacity, batch.repository.capacity) > max(4 * max(sizes.0, sizes.1), 1 << 20)
            batch.removeAll()
            spareLogBuffer.withLock { $0 = oversized ? LogBuffer() : batch }
        } catch {
            logger.warning("could not write resource log rows; keeping them for the next flush", metadata: ["error": "\(error)"])
            // The unwritten rows go back in front of those recorded meanwhile.
            logBuffer.withLock { buffer in
                var kept = batch
                kept.append(contentsOf: buffer)
                buffer = kept
            }
        }
    }

    public func queryLogs(_ query: ResourceLogQuery) async throws -> [ResourceLogEvent] {
        await flushLogs()
        return try await store.query(query)
    }

    /// Removes rows older than the retention period.
    @discardableResult
    public func applyRetention(now: Date = Date()) async throws -> Int {
        let days = logSettings.retentionDays
        return try await store.expire(before: now.timeIntervalSince1970 - Double(days) * 86400)
    }
}
