import Analysis
import Foundation
import Matching
import RegistryClient

/// How the defender runs: where it pulls from, how often it looks again, what counts as healthy.
public struct DefenderConfiguration: Sendable {
    public static let defaultSubscription = "default"
    public static let localRegistry = "local"

    /// The registry the defender scans, reached like any client would reach it.
    public struct RegistryEndpoint: Sendable {
        /// `HOST:PORT` of a listener of the registry.
        public var address: String
        public var plainHTTP: Bool
        /// The defender's own credentials (the trusted `defender` identity), or nil when the
        /// registry runs without access control.
        public var credentials: Credentials?
        /// The registry's token endpoint, known in advance: with public access disabled an
        /// anonymous first request is refused outright (no challenge to learn it from).
        public var tokenRealm: String?
        public var tokenService: String?
        /// Skip certificate checks: the registry's own certificate on a loopback address.
        public var skipTLSVerify: Bool

        public init(address: String, plainHTTP: Bool, credentials: Credentials? = nil, tokenRealm: String? = nil,
                    tokenService: String? = nil, skipTLSVerify: Bool = false) {
            self.address = address
            self.plainHTTP = plainHTTP
            self.credentials = credentials
            self.tokenRealm = tokenRealm
            self.tokenService = tokenService
            self.skipTLSVerify = skipTLSVerify
        }
    }

    public var registry: RegistryEndpoint
    /// The vulnerability database file; watched, and reloaded when replaced.
    public var databasePath: String
    /// Per-layer inventory cache (shared layers are analysed once).
    public var layerCacheDirectory: String
    /// Bounds on what one image's analysis may cost; past one, the scan reports what it found
    /// with the inventory marked incomplete.
    public var analysisLimits = AnalysisLimits()
    /// The key that seals stored credentials (`SecretBox`); nil: credentials cannot be stored.
    public var secretKeyFile: String?
    /// Make the key file when it does not exist (the default path in the data directory; a key
    /// named with `--secret-key-file` must exist).
    public var generatesSecretKey = true
    /// How often an enrolled registry without notifications is listed (catalog and tags), and
    /// one with notifications (catching up with events it could not deliver).
    public var defaultPollInterval: Double = 300
    public var notifiedPollInterval: Double = 3600
    /// Scans at the same time.
    public var concurrency = 2
    /// Images pushed or pulled within this many seconds are re-evaluated by the continuous pass.
    public var rescanWindow: Double = 30 * 86400
    /// How often the continuous pass runs.
    public var rescanInterval: Double = 86400
    /// An image is unhealthy with an open finding at or above this severity.
    public var healthThreshold: SeverityLevel = .high
    /// Webhook deliveries: how long a receiver has to answer, how often a delivery is tried,
    /// and the first retry's delay (doubling each time, at most an hour).
    public struct Webhooks: Sendable {
        public var timeout: Double = 10
        public var maxAttempts = 8
        public var retryBase: Double = 2
        public init() {}
    }
    public var webhooks = Webhooks()
    /// What one image scanned in a billing period costs, and in which currency (`drydock usage`).
    public var pricePerImage: Decimal = Decimal(string: "0.29") ?? 0
    public var currency = "USD"
    /// How long an external scanner has for a report (from the scan request to the report).
    public var externalScanTimeout: Double = 300
    /// How often the gauges of `/metrics` (queue, findings, health, database age) are refreshed.
    public var metricsInterval: Double = 10
    /// How often the database file is checked for replacement.
    public var databaseCheckInterval: Double = 1
    /// Scans refused by the network rules are tried again this often.
    public var blockedRetryInterval: Double = 30
    /// Transient failures are retried this many times in all, with backoff.
    public var maxAttempts = 5
    /// A running scan's lease; renewed while it runs, taken over when its worker died.
    public var lease: Double = 120
    /// How often idle workers look for due jobs (pushes also wake them at once).
    public var pollInterval: Double = 0.5

    public init(registry: RegistryEndpoint, databasePath: String, layerCacheDirectory: String) {
        self.registry = registry
        self.databasePath = databasePath
        self.layerCacheDirectory = layerCacheDirectory
    }
}

/// The defender's notion of now, replaceable in tests (the 30-day window).
public struct DefenderClock: Sendable {
    public var now: @Sendable () -> Double
    public init(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) { self.now = now }
}
