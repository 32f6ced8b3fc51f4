import Access
import AsyncHTTPClient
import Dashboard
import Defender
import DefenderWiring
import DrydockTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RegistryServer
import RegistryStorage
import VulnDB

/// A real registry with its defender, assembled the way `drydock serve` assembles them
/// (`DefenderWiring`), on an ephemeral loopback port, with access control on.
final class ScanningRegistry: Sendable {
    let registry: TestRegistry
    let defender: Defender
    let defenderStore: DefenderStore
    let databasePath: String

    var url: String { registry.url }
    /// The private endpoint (127.0.0.2), when started with one: the public-access switch does not apply.
    var privateAddress: String? { registry.listening.first { $0.host == "127.0.0.2" }.map { "127.0.0.2:\($0.port)" } }
    var address: String { registry.address }
    var directory: String { registry.directory }

    /// - Parameters:
    ///   - database: a vulnerability database file to copy in as the server's (nil: none).
    ///   - clock: the defender's clock (the 30-day window tests move it).
    ///   - directory: reuse a data directory (a restart).
    ///   - running: run the defender's workers and loops (false: tests drive it step by step).
    static func start(database: String? = nil, clock: DefenderClock = DefenderClock(), directory: String? = nil,
                      running: Bool = true, privateEndpoint: Bool = false, configure: (inout DefenderConfiguration) -> Void = { _ in }) async throws -> ScanningRegistry {
        var captured: (Defender, DefenderStore, String)?
        let registry = try await TestRegistry.start(access: true, directory: directory) { store, access, directory, configuration in
            if privateEndpoint { configuration.privateEndpoints = [try .init("127.0.0.2:0")] }
            let databasePath = directory + "/vuln.db"
            if let database, !FileManager.default.fileExists(atPath: databasePath) {
                try FileManager.default.copyItem(atPath: database, toPath: databasePath)
            }
            var logger = Logger(label: "test-defender")
            logger.logLevel = .warning
            let defenderStore = try await DefenderStore.open(path: directory + "/defender.sqlite", logger: logger)
            var settings = DefenderConfiguration(registry: DefenderWiring.endpoint(for: configuration, access: access),
                                                 databasePath: databasePath, layerCacheDirectory: directory + "/layer-cache")
            settings.pollInterval = 0.1
            settings.databaseCheckInterval = 0.2
            settings.blockedRetryInterval = 2
            settings.metricsInterval = 0.5
            settings.secretKeyFile = directory + "/secret.key"
            configure(&settings)
            let defender = Defender(store: defenderStore, configuration: settings, clock: clock, logger: logger)
            if running {
                DefenderWiring.attach(defender, store: store, to: &configuration)
                if let access {
                    let notify = configuration.onNetworkRulesChanged
                    try Dashboard(defender: defender, access: access, logger: logger, networkRulesChanged: { await notify?() })
                        .attach(to: &configuration)
                }
            } else {
                // Events and admin routes, but no workers: the test runs jobs itself.
                DefenderWiring.attach(defender, store: store, to: &configuration)
                configuration.services.removeLast()
            }
            captured = (defender, defenderStore, databasePath)
        }
        guard let (defender, defenderStore, databasePath) = captured else { throw TestSupportError("the defender was not set up") }
        let endpoint = DefenderWiring.endpoint(for: registry.server.configuration, access: registry.access, port: registry.port)
        defender.setRegistryAddress(endpoint.address, tokenRealm: endpoint.tokenRealm)
        if !running { try await defender.start() }
        return ScanningRegistry(registry: registry, defender: defender, defenderStore: defenderStore, databasePath: databasePath)
    }

    private init(registry: TestRegistry, defender: Defender, defenderStore: DefenderStore, databasePath: String) {
        self.registry = registry
        self.defender = defender
        self.defenderStore = defenderStore
        self.databasePath = databasePath
    }

    func stop(keepData: Bool = false) async {
        await registry.stop(keepData: true)
        await defender.close()
        await defenderStore.close()
        if !keepData { try? FileManager.default.removeItem(atPath: registry.directory) }
    }

    // MARK: The admin API, as the CLI calls it

    func admin(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, data: Data? = nil,
               via address: String? = nil) async throws -> (status: UInt, body: [String: Any]) {
        // Through the private endpoint when there is one: the tests switch public access off.
        var request = HTTPClientRequest(url: "http://\(address ?? privateAddress ?? self.address)" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Basic " + Data("admin:\(TestRegistry.adminPassword)".utf8).base64EncodedString())
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let data {
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (response.status.code, object)
    }

    /// `GET /admin/findings/image?reference=…` (what `drydock findings show --output json` prints).
    func show(_ reference: String, state: String = "open", registry: String? = nil) async throws -> [String: Any] {
        let encoded = reference.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? reference
        let answer = try await admin(.GET, "/admin/findings/image?reference=\(encoded)&state=\(state)" + (registry.map { "&registry=\($0)" } ?? ""))
        guard answer.status == 200 else { throw TestSupportError("findings show \(reference): HTTP \(answer.status) \(answer.body)") }
        return answer.body
    }

    /// Waits until the image's scan status is one of `statuses` (and returns its view).
    @discardableResult
    func waitFor(_ reference: String, status statuses: Set<String> = ["completed"], timeout: Double = 60, registry: String? = nil,
                 where condition: ([String: Any]) -> Bool = { _ in true }) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: Any] = [:]
        while Date() < deadline {
            do {
                let view = try await show(reference, state: "all", registry: registry)
                last = view
                if let status = view["scanStatus"] as? String, statuses.contains(status), condition(view) { return view }
            } catch {
                last = ["scanStatus": "unknown", "statusMessage": "\(error)"]
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("\(reference) did not reach \(statuses) within \(timeout) s; last: \(last["scanStatus"] ?? "unknown") \(last["statusMessage"] ?? "")")
    }

    /// Resource-log rows (flushed first).
    func logRows(_ table: ResourceLogTable, identity: String? = nil, operation: String? = nil) async throws -> [ResourceLogEvent] {
        guard let access = registry.access else { return [] }
        await access.flushLogs()
        var query = ResourceLogQuery(table: table)
        query.identity = identity
        query.operation = operation
        return try await access.queryLogs(query)
    }
}

func ids(_ view: [String: Any], state: String? = nil) -> Set<String> {
    Set((view["findings"] as? [[String: Any]] ?? []).filter { state == nil || $0["state"] as? String == state }
        .compactMap { $0["vulnerabilityID"] as? String })
}

/// Vulnerability databases built from the repository's advisory fixtures.
enum TestDatabases {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var advisories: String { repositoryRoot + "/Tests/MatchingTests/Fixtures/advisories" }

    /// A database of the PyPI fixtures, leaving out the packages named in `without`.
    static func build(into directory: String, name: String, without: Set<String> = []) async throws -> String {
        let source = directory + "/advisories-\(name)/pypi/pypa-advisory-database/vulns"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let fixtures = advisories + "/pypi/pypa-advisory-database/vulns"
        for package in try FileManager.default.contentsOfDirectory(atPath: fixtures) where !without.contains(package) {
            try FileManager.default.copyItem(atPath: fixtures + "/" + package, toPath: source + "/" + package)
        }
        let output = directory + "/\(name).sqlite"
        _ = try await DatabaseBuilder.build(roots: [URL(fileURLWithPath: directory + "/advisories-\(name)")], output: output)
        return output
    }
}
