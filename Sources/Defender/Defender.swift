import Analysis
import Foundation
import Logging
import Matching
import ServiceLifecycle
import Synchronization

/// Defender: keeps every image of the registries it watches scanned, the way a cloud
/// registry's security service does. It learns of pushes, imports, deletes and pulls from the
/// registry's own events, queues one durable job per image, pulls each image through the
/// registry API as the trusted `defender` identity (so the registry's network rules and
/// resource logs apply to it like to any client), keeps the inventory, matches it against the
/// server's vulnerability database, and keeps findings with their history: opened, resolved by a
/// replacing digest or a new database, first and last seen. A new database, and a daily pass
/// over images pulled in the last 30 days, re-match stored inventories without pulling again.
///
/// It does not know how the registry is built: it reaches it only through `RegistryClient` and
/// the events and contents the server hands it (`DefenderWiring` in the server's module).
public final class Defender: Service, Sendable {
    public let store: DefenderStore
    public let configuration: DefenderConfiguration
    let clock: DefenderClock
    let logger: Logger
    let scanner: ImageScanner
    let database: DatabaseSlot
    private let signals: [WakeSignal]
    /// Wakes the webhook dispatcher when an event is queued.
    let deliverySignal = WakeSignal()
    /// Scans asked for through the Harbor scanner API.
    let adapterQueue: AdapterScanQueue
    private let passStats = Mutex<PassStats?>(nil)
    /// Lists everything the watched registry holds: used on start to catch up with pushes and
    /// deletes the defender missed while it was not running.
    let contents = Mutex<(@Sendable () async throws -> [ImageEvent])?>(nil)
    /// Where the registry listens (known once it has bound its port).
    private let endpoint: Mutex<DefenderConfiguration.RegistryEndpoint>
    /// The key sealing stored credentials, once read (`secretBox()`).
    let secrets = Mutex<SecretBox?>(nil)

    public init(store: DefenderStore, configuration: DefenderConfiguration, clock: DefenderClock = DefenderClock(),
                logger: Logger = Logger(label: "drydock.defender")) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.scanner = ImageScanner(layerCache: configuration.layerCacheDirectory, limits: configuration.analysisLimits)
        self.endpoint = Mutex(configuration.registry)
        self.database = DatabaseSlot(path: configuration.databasePath)
        self.signals = (0..<max(1, configuration.concurrency)).map { _ in WakeSignal() }
        self.adapterQueue = AdapterScanQueue(limit: configuration.concurrency)
    }

    /// Tells the defender how to list the registry's contents (for catching up on start).
    public func setContentsProvider(_ provider: @escaping @Sendable () async throws -> [ImageEvent]) {
        contents.withLock { $0 = provider }
    }

    public var now: Double { clock.now() }

    /// The registry's address, once its listener is bound (`HOST:PORT`), and its token endpoint.
    public func setRegistryAddress(_ address: String, tokenRealm: String?) {
        endpoint.withLock {
            $0.address = address
            if let tokenRealm { $0.tokenRealm = tokenRealm }
        }
    }

    // MARK: Running

    public func run() async throws {
        do { try await start() } catch {
            // The registry keeps serving; pushes still arrive as events, and the next start
            // catches up with whatever this one could not.
            logger.error("the defender could not catch up with the registry on start", metadata: ["error": "\(error)"])
        }
        await withTaskGroup(of: Void.self) { group in
            for signal in signals {
                group.addTask { await self.workerLoop(signal) }
            }
            group.addTask { await self.databaseLoop() }
            group.addTask { await self.metricsLoop() }
            group.addTask {
                await WebhookDispatcher(store: self.store, settings: self.configuration.webhooks, logger: self.logger, clock: self.clock)
                    .run(wake: self.deliverySignal)
            }
            group.addTask { await self.continuousLoop() }
            group.addTask { await self.pollLoop() }
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
            group.cancelAll()
        }
        await database.close()
    }

    /// What `run` does before its loops: defaults, leases of a previous process, the database,
    /// and catching up with the registry. Public so tests can drive the defender step by step.
    public func start() async throws {
        try await store.ensureDefaults(now: now)
        if configuration.secretKeyFile != nil {
            // Stored secrets are sealed from now on, and those written in clear before are sealed now.
            do {
                await store.useSecrets(try secretBox())
                let sealed = try await store.sealStoredSecrets()
                if sealed > 0 { logger.notice("stored secrets sealed with the secret key", metadata: ["secrets": "\(sealed)"]) }
            } catch {
                logger.error("the secret key cannot be used: credentials cannot be stored or read", metadata: ["error": "\(error)"])
            }
        }
        let released = try await store.releaseAllLeases()
        if released > 0 { logger.notice("taking back scans interrupted by a restart", metadata: ["jobs": "\(released)"]) }
        if await database.refresh(now: now) {
            logger.info("vulnerability database loaded", metadata: ["path": "\(configuration.databasePath)"])
        }
        // Scans accepted through the scanner API before a restart run again.
        for id in try await store.unfinishedAdapterScans() { await submitAdapterScan(id) }
        try await reconcile()
    }

    /// Records every image the registry holds (queuing those never scanned) and forgets those it
    /// no longer holds.
    public func reconcile() async throws {
        guard let provider = contents.withLock({ $0 }) else { return }
        // Events published while the registry is being listed are handled meanwhile; only what
        // is older than the listing may be judged missing from it (registry times, not `now`).
        let snapshot = Date().timeIntervalSince1970
        let events = try await provider()
        let patterns = try await store.registries()
        var present = Set<String>()
        var tags: [(repository: String, tag: String, digest: String)] = []
        for event in events {
            guard Self.isIncluded(event.repository, registry: event.registry, settings: patterns) else { continue }
            present.insert("\(event.repository)@\(event.digest)")
            if let tag = event.tag { tags.append((event.repository, tag, event.digest)) }
            try await handle(event)
        }
        _ = try await store.markMissing(registry: DefenderConfiguration.localRegistry, present: present, before: snapshot, now: now)
        try await store.syncTags(registry: DefenderConfiguration.localRegistry, present: tags, before: snapshot, now: now)
    }

    // MARK: Events

    /// Takes one registry event: records it and queues a scan when the image is new.
    public func handle(_ event: ImageEvent) async throws {
        if event.kind != .delete && event.kind != .untag && event.kind != .pull {
            guard Self.isIncluded(event.repository, registry: event.registry, settings: try await store.registries()) else { return }
        }
        let outcome = try await store.record(event, now: now)
        if let scan = outcome.scan {
            try await store.enqueue(imageID: scan.imageID, notBefore: scan.notBefore, trigger: event.kind.rawValue, now: now)
            wakeWorker()
        }
        for id in outcome.rescan {
            try await store.enqueue(imageID: id, notBefore: now, trigger: event.kind.rawValue, now: now)
            wakeWorker()
        }
        if let id = outcome.retagged {
            // A tag moved to a digest scanned before: what the digests it replaced had and this
            // one does not is resolved now (a newly scanned digest does this when its scan ends).
            let baseline = await eventBaseline(imageID: id)
            let changes = try await store.resolveReplaced(imageID: id, now: now)
            await publish(changes, imageID: id, baseline: baseline, scanned: false)
        }
    }

    /// The registry's network rules changed: scans waiting on them try again now.
    public func networkRulesChanged() async {
        do {
            try await store.wakeBlockedJobs(now: now)
            for signal in signals { signal.signal() }
        } catch {
            logger.warning("could not wake blocked scans", metadata: ["error": "\(error)"])
        }
    }

    /// How the defender reaches its registry now.
    var currentEndpoint: DefenderConfiguration.RegistryEndpoint { endpoint.withLock { $0 } }

    func wakeDeliveries() {
        deliverySignal.signal()
    }

    func wakeWorker() {
        for signal in signals { signal.signal() }
    }

    static func isIncluded(_ repository: String, registry: String, settings: [DefenderStore.RegistrySettings]) -> Bool {
        guard let entry = settings.first(where: { $0.name == registry }) else { return true }
        if !entry.include.isEmpty && !entry.include.contains(where: { RepositoryPattern.matches($0, repository) }) { return false }
        return !entry.exclude.contains { RepositoryPattern.matches($0, repository) }
    }

    // MARK: Workers

    private func workerLoop(_ signal: WakeSignal) async {
        while !Task.isCancelled {
            do {
                if try await runNextJob() { continue }
            } catch where !(error is CancellationError) && !Task.isCancelled {
                logger.warning("scan queue error", metadata: ["error": "\(error)"])
            } catch {
                break  // the server is stopping
            }
            await signal.wait(timeout: configuration.pollInterval)
        }
    }

    /// Claims and runs one due job; false when none is due.
    public func runNextJob() async throws -> Bool {
        guard let job = try await store.claim(now: now, lease: configuration.lease) else { return false }
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(configuration.lease * 1000 / 3)))
                if Task.isCancelled { break }
                try? await store.renewLease(job, until: now + configuration.lease)
            }
        }
        defer { renewal.cancel() }
        try await process(job)
        return true
    }

    private func process(_ job: ScanJob) async throws {
        guard let image = try await store.image(id: job.imageID), image.deletedAt == nil else {
            try await store.finishJob(job)
            return
        }
        if try await scannerMode(of: image) == "external" {
            try await processExternally(job, image: image)
            return
        }
        let started = now
        do {
            let inventories = try await scanner.inventories(from: try await endpoint(forRegistry: image.registry),
                                                            repository: image.repository, digest: image.digest)
            var digests: [String] = []
            for inventory in inventories {
                let digest = inventory.manifestDigest ?? image.digest
                try await store.saveInventory(digest: digest, json: Data(try ImageInventoryCodec.encode(inventory)), now: now)
                digests.append(digest)
            }
            let keys = inventories.reduce(into: Set<String>()) { $0.formUnion(AdvisoryKeys.of($1)) }
            try await store.setInventories(imageID: image.id, digests: digests, analyzers: scanner.analyzerFingerprint, keys: keys, now: now)
            let evaluation = try await Evaluator.evaluate(inventories, database: await database.current)
            let baseline = await eventBaseline(imageID: image.id)
            let changes = try await store.store(evaluation, imageID: image.id, now: now)
            try await store.finishJob(job)
            recordScan(result: evaluation.status == .completed ? "completed" : evaluation.status.rawValue, seconds: now - started)
            await publish(changes, imageID: image.id, baseline: baseline, scanned: true)
            await scanExternally(imageID: image.id)
            logger.info("scanned", metadata: ["repository": "\(image.repository)", "digest": "\(image.digest)",
                                              "findings": "\(evaluation.findings.count)", "status": "\(evaluation.status.rawValue)",
                                              "seconds": "\(String(format: "%.2f", now - started))"])
        } catch {
            try await fail(job, image: image, error: error)
        }
    }

    private func fail(_ job: ScanJob, image: ImageRecord, error: any Error) async throws {
        if Task.isCancelled || error is CancellationError {
            // The server is stopping: the scan was interrupted, not failed. It runs again on the
            // next start (and this attempt does not count).
            try? await store.retryJob(job, notBefore: now, error: "interrupted by shutdown", countsAsAttempt: false)
            return
        }
        var failure = ScanFailure.classify(error)
        if case .blocked(let message) = failure, image.registry != DefenderConfiguration.localRegistry {
            // Another registry's network rules: nothing here can change them.
            failure = .transient("the registry refuses the defender: \(message)")
        }
        switch failure {
        case .blocked(let message):
            try await store.updateStatus(imageID: image.id, .blockedByNetworkRules, message: """
                the registry's network rules refuse the defender (\(message)); allow trusted services \
                (`drydock network set --trusted-services on`) and the scan is retried within a minute
                """)
            try await store.retryJob(job, notBefore: now + configuration.blockedRetryInterval, error: message, countsAsAttempt: false)
            recordScan(result: "blocked")
            logger.notice("scan blocked by network rules", metadata: ["repository": "\(image.repository)", "digest": "\(image.digest)"])
        case .transient(let message) where job.attempts < configuration.maxAttempts:
            let delay = min(300, pow(2, Double(job.attempts)))
            try await store.updateStatus(imageID: image.id, .queued,
                                         message: "attempt \(job.attempts) of \(configuration.maxAttempts) failed: \(message); retrying in \(Int(delay)) s")
            try await store.retryJob(job, notBefore: now + delay, error: message, countsAsAttempt: true)
            recordScan(result: "retried")
        case .transient(let message), .permanent(let message):
            try await store.updateStatus(imageID: image.id, .failed, message: message)
            try await store.finishJob(job)
            recordScan(result: "failed")
            await publishFailure(imageID: image.id, message: message)
            logger.warning("scan failed", metadata: ["repository": "\(image.repository)", "digest": "\(image.digest)", "reason": "\(message)"])
        case .gone:
            try await store.updateStatus(imageID: image.id, .failed, message: "the image is no longer in the registry")
            try await store.finishJob(job)
        }
    }

    // MARK: Re-evaluation (no pulls)

    /// Matches an image's stored inventories against the current database. An image without
    /// stored inventories (or made by older analyzers) is queued for a scan instead.
    ///
    /// - Parameter changed: after a database update that changed only some advisory keys, those
    ///   keys: an image matched completely before has only its packages under them matched
    ///   again, and only their findings and remediations rewritten.
    @discardableResult
    public func reevaluate(imageID: Int, changed: AdvisoryKeyFilter? = nil) async throws -> Bool {
        guard let image = try await store.image(id: imageID), image.deletedAt == nil, !image.inventories.isEmpty else { return false }
        let loaded = await database.current
        // Matched completely before: only the packages under a changed key need reading.
        let partial = (loaded != nil && image.status == .completed && image.databaseBuiltAt != nil) ? changed : nil
        let keeping = partial.map { filter in
            { (_: OSRelease?, type: PackageType, name: String, source: String?) in filter.mightMatch(type: type, name: name, sourceName: source) }
        }
        var inventories: [ImageInventory] = []
        for digest in image.inventories {
            guard let data = try await store.inventory(digest: digest),
                  let inventory = ImageInventoryCodec.decode(Array(data), keeping: keeping) else {
                try await store.enqueue(imageID: imageID, notBefore: now, trigger: "inventory-missing", now: now)
                wakeWorker()
                return false
            }
            inventories.append(inventory)
        }
        if let partial, let loaded {
            let (reduced, scope) = Evaluator.restrict(inventories, to: partial)
            let evaluation = try await Evaluator.evaluate(reduced, database: loaded)
            let baseline = await eventBaseline(imageID: imageID)
            let changes = try await store.store(evaluation, imageID: imageID, now: now, scope: scope, known: image)
            await publish(changes, imageID: imageID, baseline: baseline, scanned: false)
            return true
        }
        let evaluation = try await Evaluator.evaluate(inventories, database: loaded)
        let baseline = await eventBaseline(imageID: imageID)
        let changes = try await store.store(evaluation, imageID: imageID, now: now, known: image)
        await publish(changes, imageID: imageID, baseline: baseline, scanned: false)
        return true
    }

    /// Re-matches every stored inventory (a new database), `concurrency` at a time.
    public func rematchAll() async throws -> Int {
        try await rematch(try await store.imagesWithInventories())
    }

    /// Re-matches the given images' stored inventories, `concurrency` at a time (only the
    /// packages under `changed` keys when given).
    func rematch(_ ids: [Int], changed: AdvisoryKeyFilter? = nil) async throws -> Int {
        let width = max(1, configuration.concurrency)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = 0
            var done = 0
            func add() {
                guard next < ids.count else { return }
                let id = ids[next]
                next += 1
                group.addTask { (try? await self.reevaluate(imageID: id, changed: changed)) ?? false }
            }
            for _ in 0..<width { add() }
            while let result = try await group.next() {
                if result { done += 1 }
                add()
            }
            return done
        }
    }

    // MARK: The database

    private func databaseLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(configuration.databaseCheckInterval * 1000)))
            if Task.isCancelled { break }
            _ = await checkDatabase()
        }
    }

    /// Looks at the database file now; when it was replaced, re-matches every stored inventory.
    /// Returns how many images were re-matched (nil when nothing changed).
    public func checkDatabase() async -> Int? {
        guard await database.refresh(now: now) else { return nil }
        let info = await database.current?.info
        do {
            let count: Int
            if let changed = await database.changedKeys(), let info {
                // Only images with a package under a key the update touched can change; the
                // others are as good as matched against the new database.
                let ids = try await store.imagesToRematch(changedKeys: changed)
                logger.notice("vulnerability database replaced: re-matching the images it can change",
                              metadata: ["changedKeys": "\(changed.count)", "images": "\(ids.count)"])
                try await store.markEvaluated(except: ids, databaseBuiltAt: info.builtAt.timeIntervalSince1970, now: now)
                count = try await rematch(ids, changed: AdvisoryKeyFilter(keys: changed))
            } else {
                logger.notice("vulnerability database loaded: re-matching every stored inventory")
                count = try await rematchAll()
            }
            try await store.setSetting("database_rematched_at", String(now))
            return count
        } catch {
            logger.warning("re-matching after a database update failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    // MARK: The continuous pass

    public struct PassStats: Sendable, Codable {
        public var startedAt: Double
        public var finishedAt: Double
        /// Re-matched against the current database (pushed or pulled within the window).
        public var reevaluated: Int
        /// Queued for a full scan (their inventory was made by older analyzers).
        public var rescanned: Int
        /// Left alone: neither pushed nor pulled within the window.
        public var outsideWindow: Int
    }

    private func continuousLoop() async {
        while !Task.isCancelled {
            let last = (try? await store.setting("continuous_pass_at")).flatMap(Double.init) ?? 0
            let due = last + configuration.rescanInterval
            let wait = min(max(due - now, 1), 600)
            if now < due {
                try? await Task.sleep(for: .seconds(wait))
                continue
            }
            do { _ = try await continuousPass() } catch {
                logger.warning("continuous re-evaluation failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    /// Re-evaluates every image pushed or pulled within the window; the others are counted, not
    /// touched.
    @discardableResult
    public func continuousPass() async throws -> PassStats {
        let started = now
        var stats = PassStats(startedAt: started, finishedAt: started, reevaluated: 0, rescanned: 0, outsideWindow: 0)
        let fingerprint = scanner.analyzerFingerprint
        let withoutPullTimes = try await registriesWithoutPullTimes()
        let externalOnly = try await registriesScannedExternallyOnly()
        for image in try await store.listedImages() {
            guard image.isActive(now: started, window: configuration.rescanWindow) || withoutPullTimes.contains(image.registry) else {
                stats.outsideWindow += 1
                continue
            }
            if externalOnly.contains(image.registry) {
                // No inventory to re-match: the external scanners are asked again.
                try await store.enqueue(imageID: image.id, notBefore: now, trigger: "continuous", now: now)
                stats.rescanned += 1
                continue
            }
            if image.inventories.isEmpty { continue }
            if image.analyzers != fingerprint {
                try await store.enqueue(imageID: image.id, notBefore: now, trigger: "continuous", now: now)
                stats.rescanned += 1
            } else if try await reevaluate(imageID: image.id) {
                stats.reevaluated += 1
            }
        }
        try await store.removeUnusedBodies()
        stats.finishedAt = now
        try await store.setSetting("continuous_pass_at", String(started))
        if let data = try? JSONEncoder().encode(stats) { try await store.setSetting("continuous_pass", String(decoding: data, as: UTF8.self)) }
        passStats.withLock { $0 = stats }
        if stats.rescanned > 0 { wakeWorker() }
        logger.info("continuous re-evaluation", metadata: ["reevaluated": "\(stats.reevaluated)", "rescanned": "\(stats.rescanned)",
                                                           "outsideWindow": "\(stats.outsideWindow)"])
        return stats
    }

    /// Enrolled registries that tell nothing of pulls (no notifications): every image they hold
    /// counts as in use, since nothing says it is not.
    func registriesWithoutPullTimes() async throws -> Set<String> {
        Set(try await store.registries().filter { !$0.knowsPulls }.map(\.name))
    }

    /// Registries whose subscription uses external scanners only.
    func registriesScannedExternallyOnly() async throws -> Set<String> {
        var names = Set<String>()
        for registry in try await store.registries() where try await store.scannerMode(subscription: registry.subscription) == "external" {
            names.insert(registry.name)
        }
        return names
    }

    func lastPass() async -> PassStats? {
        if let stats = passStats.withLock({ $0 }) { return stats }
        guard let text = try? await store.setting("continuous_pass") else { return nil }
        return try? JSONDecoder().decode(PassStats.self, from: Data(text.utf8))
    }

    /// Shuts the database down (for callers that drove the defender without `run`).
    public func close() async {
        await database.close()
    }
}

/// `team/*`-style repository patterns: `*` matches within one path segment, `**` across segments.
enum RepositoryPattern {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        var regex = "^"
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "*" {
                if i + 1 < chars.count && chars[i + 1] == "*" {
                    regex += ".*"
                    i += 1
                } else {
                    regex += "[^/]*"
                }
            } else if "\\.+?()[]{}^$|".contains(c) {
                regex += "\\" + String(c)
            } else {
                regex.append(c)
            }
            i += 1
        }
        regex += "$"
        return name.range(of: regex, options: .regularExpression) != nil
    }
}
