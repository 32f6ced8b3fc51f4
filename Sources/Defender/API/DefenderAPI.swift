import Foundation
import Matching
import VulnDB

/// The defender's part of the admin API, as plain values (the server carries it under
/// `/admin/defender`, `/admin/findings` and `/admin/vulndb`; docs/admin-api.openapi.yaml
/// describes it). Every answer is a JSON object.
public struct DefenderAPI: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var json: Data
    }

    let defender: Defender

    public init(defender: Defender) {
        self.defender = defender
    }

    public static let groups = ["defender", "findings", "vulndb", "exemptions", "usage", "webhooks"]

    /// - Parameters:
    ///   - body: reads the request body (up to a limit).
    ///   - saveBody: streams the request body into a file (up to a limit); for database uploads.
    ///   - identity: who asks (recorded on the exemptions it makes or removes).
    public func handle(group: String, method: String, path: [String], query: [String: String], identity: String = "admin",
                       body: @Sendable (Int) async throws -> Data,
                       saveBody: @Sendable (String, Int64) async throws -> Int64 = { _, _ in
                           throw DefenderError(.invalid, "this endpoint needs a request body") }) async throws -> Reply {
        let route = "\(group) \(method) " + path.enumerated().map { $0.offset == 1 && path.first == "registries" ? "*" : $0.element }
            .joined(separator: "/")
        let last = path.last ?? ""
        switch route {
        case "defender GET ":
            return try reply(try await status())
        case "defender POST enable", "defender POST disable":
            let verb = last
            let fields = try object(try await body(64 * 1024), allowed: ["subscription"])
            let name = fields["subscription"] as? String ?? DefenderConfiguration.defaultSubscription
            guard try await defender.store.setEnabled(subscription: name, verb == "enable", now: defender.now) else {
                throw DefenderError(.notFound, "no subscription '\(name.prefix(100))'")
            }
            if verb == "enable" {
                // Images recorded while the plan was off are scanned now.
                try await defender.reconcile()
            }
            return try reply(try await status())
        case "defender GET jobs":
            return try reply(JobsView(jobs: try await defender.store.jobs()))
        case "defender GET registries":
            return try reply(try await RegistriesAPI(defender: defender).list())
        case "defender POST registries":
            let fields = try object(try await body(64 * 1024), allowed: [
                "name", "url", "subscription", "kind", "username", "password", "events", "pollIntervalSeconds", "skipTLSVerify",
                "include", "exclude"])
            return try reply(try await RegistriesAPI(defender: defender).add(fields, identity: identity), status: 201)
        case "defender PATCH registries/*":
            let fields = try object(try await body(64 * 1024), allowed: [
                "url", "username", "password", "events", "pollIntervalSeconds", "skipTLSVerify", "include", "exclude"])
            return try reply(try await RegistriesAPI(defender: defender).update(last, fields, identity: identity))
        case "defender DELETE registries/*":
            return try reply(try await RegistriesAPI(defender: defender).remove(last, identity: identity))
        case "defender POST registries/*/poll":
            do { return try reply(try await defender.poll(registry: path[1])) } catch let error as DefenderError {
                throw error
            } catch {
                throw DefenderError(.unreachable, "listing the registry failed: \(Defender.contactError(error))")
            }
        case "defender POST registries/*/events":
            // What CNCF Distribution (or Drydock's `serve --notify`) posts: a notification envelope.
            return try reply(try await defender.receiveNotifications(registry: path[1], body: try await body(16 << 20)))
        case "defender GET scanners":
            return try reply(try await ScannersAPI(defender: defender).list())
        case "defender POST scanners":
            let fields = try object(try await body(64 * 1024), allowed: ["name", "url", "authorization"])
            return try reply(try await ScannersAPI(defender: defender).add(fields, identity: identity), status: 201)
        case "defender POST scanners/use":
            let fields = try object(try await body(64 * 1024), allowed: ["subscription", "mode"])
            return try reply(try await ScannersAPI(defender: defender).use(fields, identity: identity))
        case _ where group == "defender" && method == "DELETE" && path.count == 2 && path[0] == "scanners":
            return try reply(try await ScannersAPI(defender: defender).remove(last, identity: identity))
        case "defender POST pass":
            return try reply(try await defender.continuousPass())
        case "findings GET ":
            return try reply(try await FindingsViews(defender: defender).list(query: query))
        case "findings GET image":
            guard let reference = query["reference"] else { throw DefenderError(.invalid, "give the image as ?reference=REPO[:TAG|@DIGEST]") }
            return try reply(try await FindingsViews(defender: defender).show(reference: reference, state: try state(query),
                                                                              registry: query["registry"] ?? DefenderConfiguration.localRegistry))
        case "findings GET trend":
            let days = Int(query["days"] ?? "30") ?? 0
            guard (1...366).contains(days) else { throw DefenderError(.invalid, "days must be from 1 to 366") }
            struct TrendView: Encodable { var days: [DefenderStore.TrendDay] }
            return try reply(TrendView(days: try await defender.store.trend(days: days, now: defender.now)))
        case _ where group == "findings" && method == "GET" && path.count == 2 && path[0] == "affected":
            let id = last
            return Reply(status: 200, json: try await FindingsViews(defender: defender).affectedJSON(id: id))
        case "exemptions GET ":
            return try reply(try await ExemptionsAPI(defender: defender).list(query: query))
        case "exemptions POST ":
            let fields = try object(try await body(64 * 1024),
                                    allowed: ["vulnerability", "package", "purl", "repository", "maxSeverity", "justification", "expires"])
            return try reply(try await ExemptionsAPI(defender: defender).create(fields, identity: identity), status: 201)
        case "exemptions POST openvex":
            let document = try await body(16 << 20)
            return try reply(try await ExemptionsAPI(defender: defender).importOpenVEX(document, name: query["name"], identity: identity),
                             status: 201)
        case _ where group == "exemptions" && method == "DELETE" && path.count == 1:
            return try reply(try await ExemptionsAPI(defender: defender).remove(last, identity: identity))
        case "webhooks GET ":
            return try reply(try await WebhooksAPI(defender: defender).list())
        case "webhooks POST ":
            let fields = try object(try await body(64 * 1024), allowed: ["url", "events", "secret"])
            return try reply(try await WebhooksAPI(defender: defender).create(fields, identity: identity), status: 201)
        case "webhooks GET deliveries":
            return try reply(try await WebhooksAPI(defender: defender).deliveries(webhook: nil))
        case _ where group == "webhooks" && method == "GET" && path.count == 2 && path[1] == "deliveries":
            return try reply(try await WebhooksAPI(defender: defender).deliveries(webhook: path[0]))
        case _ where group == "webhooks" && method == "DELETE" && path.count == 1:
            return try reply(try await WebhooksAPI(defender: defender).remove(last, identity: identity))
        case "usage GET ":
            return try reply(try await UsageAPI(defender: defender).view(query: query))
        case "vulndb GET ":
            return try reply(try await status().database)
        case "vulndb PUT ":
            try await install(saveBody: saveBody)
            return try reply(try await status().database)
        default:
            throw DefenderError(.notFound, "no admin endpoint \(method) /admin/\(group)/\(path.joined(separator: "/").prefix(100))")
        }
    }

    func state(_ query: [String: String]) throws -> String {
        let state = query["state"] ?? "open"
        guard FindingsViews.states.contains(state) else { throw DefenderError(.invalid, FindingsViews.stateError) }
        return state
    }

    /// Replaces the server's database file with an uploaded one: written beside it, opened to
    /// check that it is a readable database, then renamed into place (the watcher re-matches).
    func install(saveBody: @Sendable (String, Int64) async throws -> Int64) async throws {
        let path = defender.configuration.databasePath
        let temporary = path + ".upload-\(UUID().uuidString.prefix(8))"
        // Streamed to disk: a database is tens to hundreds of megabytes.
        let size = try await saveBody(temporary, 8 << 30)
        guard size > 0 else {
            unlink(temporary)
            throw DefenderError(.invalid, "the upload is empty")
        }
        do {
            let opened = try await VulnDatabase.open(path: temporary)
            do { _ = try await opened.info() } catch {
                await opened.close()
                throw error
            }
            await opened.close()
        } catch {
            unlink(temporary)
            throw DefenderError(.invalid, "the upload is not a readable vulnerability database: \(error)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw DefenderError(.invalid, "cannot move the database into place at \(path)")
        }
        _ = await defender.checkDatabase()
    }

    // MARK: Status

    public struct StatusView: Encodable, Sendable {
        public struct SubscriptionView: Encodable, Sendable {
            public var name: String
            public var plan: String
            public var registries: [DefenderStore.RegistrySettings]
        }
        public struct DatabaseView: Codable, Sendable {
            public var path: String
            public var loaded: Bool
            public var builtAt: String?
            public var loadedAt: String?
            public var vulnerabilities: Int?
            public var sources: [String]?
            public var error: String?
        }
        public struct ImagesView: Codable, Sendable {
            public var total: Int
            public var healthy: Int
            public var unhealthy: Int
            public var unknown: Int
            public var byStatus: [String: Int]
        }
        public struct ContinuousView: Codable, Sendable {
            public var windowDays: Double
            public var intervalHours: Double
            public var lastPassAt: String?
            public var reevaluated: Int?
            public var rescanned: Int?
            /// Images neither pushed nor pulled within the window: not re-evaluated.
            public var notPulledWithinWindow: Int
        }
        public var subscriptions: [SubscriptionView]
        public var queue: DefenderStore.QueueCounts
        public var runningScans: Int
        public var database: DatabaseView
        public var lastDatabaseUpdate: String?
        public var images: ImagesView
        public var continuous: ContinuousView
        public var healthThreshold: String
    }

    public func status() async throws -> StatusView {
        let store = defender.store
        let registries = try await store.registries()
        let subscriptions = try await store.subscriptions().map { subscription in
            StatusView.SubscriptionView(name: subscription.name, plan: subscription.enabled ? "enabled" : "disabled",
                                        registries: registries.filter { $0.subscription == subscription.name })
        }
        let queue = try await store.queueCounts()
        let slot = defender.database
        let loaded = await slot.current
        let loadedAt = await slot.loadedAt
        let slotError = await slot.lastError
        let database = StatusView.DatabaseView(
            path: slot.path, loaded: loaded != nil, builtAt: loaded.map { Time.iso($0.info.builtAt.timeIntervalSince1970) },
            loadedAt: loadedAt.map(Time.iso), vulnerabilities: loaded?.info.vulnerabilities,
            sources: loaded?.info.sources.map(\.name),
            error: slotError ?? (loaded == nil ? "no vulnerability database at \(slot.path): images are inventoried, not matched" : nil))
        let counts = try await store.findingCounts(now: defender.now)
        let images = try await store.listedImages()
        var view = StatusView.ImagesView(total: images.count, healthy: 0, unhealthy: 0, unknown: 0, byStatus: [:])
        let now = defender.now
        let withoutPullTimes = try await defender.registriesWithoutPullTimes()
        var outside = 0
        for image in images {
            view.byStatus[image.status.rawValue, default: 0] += 1
            switch FindingsViews.health(image, openCounts: counts[image.id]?["open"] ?? [:], threshold: defender.configuration.healthThreshold) {
            case true?: view.healthy += 1
            case false?: view.unhealthy += 1
            case nil: view.unknown += 1
            }
            if !image.isActive(now: now, window: defender.configuration.rescanWindow) && !withoutPullTimes.contains(image.registry) { outside += 1 }
        }
        let pass = await defender.lastPass()
        let rematched = try await store.setting("database_rematched_at").flatMap(Double.init)
        return StatusView(
            subscriptions: subscriptions, queue: queue, runningScans: queue.running, database: database,
            lastDatabaseUpdate: rematched.map(Time.iso) ?? database.loadedAt,
            images: view,
            continuous: .init(windowDays: defender.configuration.rescanWindow / 86400, intervalHours: defender.configuration.rescanInterval / 3600,
                              lastPassAt: pass.map { Time.iso($0.startedAt) }, reevaluated: pass?.reevaluated, rescanned: pass?.rescanned,
                              notPulledWithinWindow: outside),
            healthThreshold: defender.configuration.healthThreshold.rawValue)
    }

    struct JobsView: Codable { var jobs: [DefenderStore.JobView] }

    // MARK: JSON

    func reply(_ value: some Encodable, status: Int = 200) throws -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Reply(status: status, json: try encoder.encode(value))
    }

    func object(_ data: Data, allowed: Set<String>) throws -> [String: Any] {
        if data.isEmpty { return [:] }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DefenderError(.invalid, "the request body must be a JSON object")
        }
        let unknown = Set(object.keys).subtracting(allowed)
        guard unknown.isEmpty else {
            throw DefenderError(.invalid, "unknown field(s) \(unknown.sorted().joined(separator: ", ")); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        return object
    }
}

public enum Time {
    /// A format style, not a formatter: a value, free to share, where making an
    /// `ISO8601DateFormatter` per timestamp was most of the time of a findings view with
    /// thousands of rows.
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public static func iso(_ t: Double) -> String {
        style.format(Date(timeIntervalSince1970: t))
    }
}
