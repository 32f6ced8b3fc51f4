import Access
import Analysis
import ArgumentParser
import Dashboard
import Defender
import DefenderWiring
import Foundation
import Matching
import Logging
import RegistryServer
import RegistryStorage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the registry.")

    @Option(name: .long, help: "Address to listen on, HOST:PORT (repeatable).")
    var listen: [String] = []

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; serves HTTPS with --tls-key.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may wait for its next request, or for a request's head to arrive in full (default 60).")
    var idleTimeout: Int = 60

    @Option(name: .customLong("body-timeout"), help: "Seconds a request body may go without a byte arriving before the connection is closed (default 120).")
    var bodyTimeout: Int = 120

    @Option(name: .customLong("max-connections-per-address"), help: "Open connections one client address may hold; past it new ones are closed at once (default 1024).")
    var maxConnectionsPerAddress: Int = 1024

    @Option(name: .customLong("max-header-size"), help: "Bytes of a request's header fields; larger requests are refused (default 65536).")
    var maxHeaderSize: Int = 64 * 1024

    @Option(name: .customLong("upload-expiry"), help: "Seconds after which an idle upload session is deleted.")
    var uploadExpiry: Int = 24 * 3600

    @Option(name: .long, help: "Access control: enabled (identities, tokens, network rules, resource logs) or disabled (everyone may do everything; for isolated tests only).")
    var auth: AuthMode = .enabled

    @Option(name: .customLong("admin-password-file"), help: "File holding the admin's password (else DRYDOCK_ADMIN_PASSWORD; else one is generated on first start and printed once).")
    var adminPasswordFile: String?

    @Option(name: .customLong("private-endpoint"), help: "Extra private listen address HOST:PORT (repeatable); public-access and IP rules do not apply to it.")
    var privateEndpoint: [String] = []

    @Option(name: .customLong("trusted-proxy"), help: "CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable).")
    var trustedProxy: [String] = []

    @Option(name: .customLong("token-service"), help: "The service name in token challenges and the audience of issued tokens.")
    var tokenService: String = "drydock"

    @Option(name: .customLong("vuln-db"), help: "The defender's vulnerability database (default: DATA/vuln.db); replacing the file is noticed without a restart.")
    var vulnDB: String?

    @Option(name: .long, help: "The defender (continuous scanning): enabled, or disabled for a registry that only stores images.")
    var defender: AuthMode = .enabled

    @Option(name: .customLong("scan-concurrency"), help: "Images the defender scans at the same time.")
    var scanConcurrency: Int = 2

    @Option(name: .customLong("max-image-size"), help: "The defender stops reading an image past this many uncompressed bytes and keeps what it found, marked incomplete (default 512 GiB).")
    var maxImageSize: Int64?

    @Option(name: .customLong("max-image-seconds"), help: "The defender stops reading an image's layers after this many seconds and keeps what it found, marked incomplete (default 900).")
    var maxImageSeconds: Double?

    @Option(name: .customLong("rescan-window-days"), help: "Images pushed or pulled within this many days are re-evaluated continuously.")
    var rescanWindowDays: Double = 30

    @Option(name: .customLong("rescan-interval-hours"), help: "How often the continuous re-evaluation runs.")
    var rescanIntervalHours: Double = 24

    @Option(name: .customLong("health-threshold"), help: "An image is unhealthy with an open finding at or above this severity (CRITICAL, HIGH, MEDIUM, LOW).")
    var healthThreshold: String = "HIGH"

    @Option(name: .long, help: "The browser dashboard at /ui/ (needs access control and the defender): enabled or disabled.")
    var dashboard: AuthMode = .enabled

    @Option(name: .customLong("price-per-image"), help: "What one image scanned in a billing period costs (drydock usage).")
    var pricePerImage: String = "0.29"

    @Option(name: .long, help: "The currency of --price-per-image (ISO 4217 code).")
    var currency: String = "USD"

    @Option(name: .customLong("secret-key-file"), help: "The key that encrypts stored credentials (32 bytes: 64 hex digits, base64 or raw); default DATA/secret.key, made with mode 0600 on first use.")
    var secretKeyFile: String?

    @Option(name: .long, help: "Post the registry's events (push, pull, delete) to this URL in CNCF Distribution's notification format (repeatable).")
    var notify: [String] = []

    @Option(name: .customLong("notify-header"), help: "A header sent with every notification, 'Name: value' (repeatable; e.g. the receiver's Authorization).")
    var notifyHeader: [String] = []

    enum AuthMode: String, ExpressibleByArgument { case enabled, disabled }

    func run() async throws {
        let logger = makeLogger("drydock")
        let listeners = try (listen.isEmpty ? ["127.0.0.1:5000"] : listen).map {
            do { return try RegistryServer.Listener($0) } catch { throw CLIError("\(error)") }
        }
        var tls: RegistryServer.TLSFiles?
        switch (tlsCert, tlsKey) {
        case let (cert?, key?): tls = .init(certificate: cert, key: key)
        case (nil, nil): tls = nil
        default: throw CLIError("--tls-cert and --tls-key must be given together")
        }
        var configuration = RegistryServer.Configuration(listeners: listeners, tls: tls)
        configuration.metrics = Telemetry.prometheusExporter()
        configuration.uploadExpiry = .seconds(uploadExpiry)
        guard idleTimeout > 0, bodyTimeout > 0 else { throw CLIError("--idle-timeout and --body-timeout take a positive number of seconds") }
        guard maxConnectionsPerAddress > 0 else { throw CLIError("--max-connections-per-address takes a positive number") }
        guard (1024...(16 << 20)).contains(maxHeaderSize) else { throw CLIError("--max-header-size takes 1024 to 16777216 bytes") }
        configuration.connections.idleTimeout = .seconds(idleTimeout)
        configuration.connections.bodyTimeout = .seconds(bodyTimeout)
        configuration.connections.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.connections.maxHeaderSize = maxHeaderSize
        configuration.privateEndpoints = try privateEndpoint.map {
            do { return try RegistryServer.Listener($0) } catch { throw CLIError("--private-endpoint: \(error)") }
        }
        guard let threshold = SeverityLevel(rawValue: healthThreshold.uppercased()), threshold != .unknown else {
            throw CLIError("--health-threshold takes CRITICAL, HIGH, MEDIUM, LOW or NONE")
        }
        guard let price = Decimal(string: pricePerImage, locale: Locale(identifier: "en_US_POSIX")), price >= 0,
              pricePerImage.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw CLIError("--price-per-image takes a non-negative number such as 0.29")
        }
        guard currency.count == 3, currency.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw CLIError("--currency takes a three-letter code such as USD or EUR")
        }
        guard (1...64).contains(scanConcurrency) else { throw CLIError("--scan-concurrency takes 1 to 64") }
        let analysisLimits = try ImageOptions.limits(maxImageSize: maxImageSize, maxImageSeconds: maxImageSeconds)
        if let secretKeyFile, !FileManager.default.isReadableFile(atPath: secretKeyFile) {
            throw CLIError("cannot read --secret-key-file \(secretKeyFile)")
        }
        let notificationEndpoints = try notify.map { url in
            do { return try NotificationEndpoint(url: url, headers: notifyHeader) } catch { throw CLIError("--notify: \(error)") }
        }
        guard rescanWindowDays > 0, rescanIntervalHours > 0 else { throw CLIError("--rescan-window-days and --rescan-interval-hours must be positive") }
        configuration.temporaryDirectory = dataOptions.absoluteData + "/tmp"
        // The store is opened only once every option has been checked, so that a refused option
        // never leaves it open.
        let store: RegistryStore
        var access: AccessController?
        if auth == .enabled {
            var accessConfiguration = AccessController.Configuration()
            accessConfiguration.service = tokenService
            accessConfiguration.trustedProxies = try trustedProxy.map {
                do { return try CIDR($0) } catch { throw CLIError("--trusted-proxy: \(error)") }
            }
            var adminPassword = ProcessInfo.processInfo.environment["DRYDOCK_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            if let file = adminPasswordFile {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw CLIError("cannot read --admin-password-file \(file)")
                }
                adminPassword = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let adminPassword, adminPassword.count < 8 {
                throw CLIError("the admin password must have at least 8 characters")
            }
            store = try await Self.openStore(dataOptions, logger: logger)
            do {
                access = try await AccessController.open(databasePath: dataOptions.absoluteData + "/metadata.sqlite",
                                                         adminPassword: adminPassword, configuration: accessConfiguration, logger: logger)
            } catch {
                await store.close()
                throw CLIError("cannot open the access tables: \(error)")
            }
            if let generated = access?.generatedAdminPassword {
                // Shown once, on the first start; only its hash is stored.
                FileHandle.standardOutput.write(Data("drydock: generated admin password (shown once): \(generated)\n".utf8))
            }
            configuration.access = access
        } else {
            store = try await Self.openStore(dataOptions, logger: logger)
            logger.warning("access control is disabled: anyone who can reach the listeners may push, pull and delete")
        }
        var scanner: Defender?
        var defenderStore: DefenderStore?
        if defender == .enabled {
            do {
                let opened = try await DefenderStore.open(path: dataOptions.absoluteData + "/defender.sqlite", logger: logger)
                defenderStore = opened
                var settings = DefenderConfiguration(
                    registry: DefenderWiring.endpoint(for: configuration, access: access),
                    databasePath: vulnDB ?? dataOptions.absoluteData + "/vuln.db",
                    layerCacheDirectory: dataOptions.absoluteData + "/layer-cache")
                settings.concurrency = scanConcurrency
                settings.analysisLimits = analysisLimits
                settings.rescanWindow = rescanWindowDays * 86400
                settings.rescanInterval = rescanIntervalHours * 3600
                settings.healthThreshold = threshold
                settings.pricePerImage = price
                settings.currency = currency.uppercased()
                settings.secretKeyFile = secretKeyFile ?? dataOptions.absoluteData + "/secret.key"
                // A key named on the command line must exist: making one there would hide a typo.
                settings.generatesSecretKey = secretKeyFile == nil
                let service = Defender(store: opened, configuration: settings, logger: makeLogger("drydock.defender"))
                DefenderWiring.attach(service, store: store, to: &configuration)
                scanner = service
                if dashboard == .enabled, let access {
                    let notify = configuration.onNetworkRulesChanged
                    try Dashboard(defender: service, access: access, logger: makeLogger("drydock.dashboard"),
                                  networkRulesChanged: { await notify?() }).attach(to: &configuration)
                }
            } catch {
                await access?.close()
                await store.close()
                throw CLIError("cannot open the defender's tables: \(error)")
            }
        }
        for endpoint in notificationEndpoints {
            configuration.services.append(RegistryNotifier(events: store.events.subscribe(), endpoint: endpoint,
                                                           logger: makeLogger("drydock.notifications")))
        }
        let server = RegistryServer(store: store, configuration: configuration, logger: logger)
        let scheme = tls == nil ? "http" : "https"
        let defenderService = scanner
        let publicHost = configuration.listeners.first?.host
        let baseConfiguration = configuration
        let accessForEndpoint = access
        do {
            try await server.run { host, port in
                logger.notice("listening", metadata: ["address": "\(scheme)://\(host):\(port)", "data": "\(dataOptions.absoluteData)"])
                // The defender pulls through a public listener (the first one's host), once its port is known.
                if let scanner = defenderService, host == publicHost {
                    let endpoint = DefenderWiring.endpoint(for: baseConfiguration, access: accessForEndpoint, port: port)
                    scanner.setRegistryAddress(endpoint.address, tokenRealm: endpoint.tokenRealm)
                }
            }
        } catch {
            await defenderStore?.close()
            await access?.close()
            await store.close()
            throw CLIError("server stopped: \(error)")
        }
        await defenderStore?.close()
        await access?.close()
        await store.close()
    }

    private static func openStore(_ dataOptions: DataOptions, logger: Logger) async throws -> RegistryStore {
        do {
            return try await RegistryStore.openEmbedded(directory: dataOptions.absoluteData, logger: logger, ownsTemporaryFiles: true)
        } catch {
            throw CLIError("cannot open the data directory \(dataOptions.data): \(error)")
        }
    }
}
