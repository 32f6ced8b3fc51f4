import Access
@testable import Defender
import DrydockTestSupport
import Foundation
import Logging
import OCI
import RegistryClient
import RegistryServer
import Synchronization
import Testing

/// Registries enrolled in a subscription beside the local one, all real servers on loopback: a
/// second Drydock posting its events (`RegistryNotifier`, what `serve --notify` runs) and a CNCF
/// Distribution 2.8 (Debian's `docker-registry`) configured to post its notifications to the
/// defender; another Distribution that sends nothing and is listed instead; and an enrolment
/// with a wrong password.
@Suite struct EnrolledRegistryTests {
    static let basicAdmin = "Basic " + Data("admin:\(TestRegistry.adminPassword)".utf8).base64EncodedString()
    static let readerPassword = "reader-password-1"

    /// A client that pulls as an ordinary user would (not as a defender).
    static func pull(_ address: String, _ repository: String, tag: String, credentials: Credentials? = nil) async throws {
        var options = RegistryClient.Options()
        options.plainHTTP = true
        options.credentials = credentials
        options.readsAuthFiles = false
        options.userAgent = "test-user"
        let client = try RegistryClient(registry: address, options: options)
        defer { Task { await client.shutdown() } }
        _ = try await client.manifest(try RepositoryName(repository), reference: .tag(try Tag(tag)))
    }

    func registry(_ server: ScanningRegistry, _ name: String) async throws -> [String: Any] {
        let answer = try await server.admin(.GET, "/admin/defender/registries")
        return (answer.body["registries"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name } ?? [:]
    }

    func waitForListing(_ server: ScanningRegistry, _ name: String, timeout: Double = 30) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let view = try await registry(server, name)
            if view["lastPollAt"] != nil { return view }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("registry \(name) was not listed within \(timeout) s")
    }

    static func packages(_ view: [String: Any]) -> Set<String> {
        Set((view["findings"] as? [[String: Any]] ?? []).compactMap { ($0["package"] as? [String: Any])?["name"] as? String })
    }

    @Test(.enabled(if: DistributionRegistry.isInstalled, "docker-registry (CNCF Distribution) is needed"))
    func pushesToASecondDrydockAndToDistributionAreScannedFromTheirNotifications() async throws {
        let dir = try TemporaryDirectory.make(prefix: "enrolled")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let offset = Mutex<Double>(0)
        let clock = DefenderClock { Date().timeIntervalSince1970 + offset.withLock { $0 } }
        // Listings only on enrolment (an hour apart): pushes after that arrive as notifications.
        let server = try await ScanningRegistry.start(database: database, clock: clock) {
            $0.notifiedPollInterval = 3600
            $0.defaultPollInterval = 3600
        }
        let second = try await TestRegistry.start(access: true, directory: nil) { store, _, _, configuration in
            let endpoint = try NotificationEndpoint(url: "\(server.url)/admin/defender/registries/second/events",
                                                    headers: ["Authorization: \(Self.basicAdmin)"])
            configuration.services.append(RegistryNotifier(events: store.events.subscribe(), endpoint: endpoint, logger: Logger(label: "test-notify")))
        }
        let distribution = try await DistributionRegistry.start(notifications: [
            .init(url: "\(server.url)/admin/defender/registries/dist/events", headers: ["Authorization": Self.basicAdmin]),
        ])
        defer { distribution.stop() }
        let secondAccess = try #require(second.access)
        _ = try await secondAccess.createUser(name: "reader", password: Self.readerPassword,
                                              scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull])]))

        // Enrolled: the second Drydock with a pull-only user, Distribution without credentials,
        // and the second Drydock again with a wrong password.
        var answer = try await server.admin(.POST, "/admin/defender/registries", json: [
            "name": "second", "url": second.url, "kind": "drydock", "username": "reader", "password": Self.readerPassword,
            "events": "notifications"])
        #expect(answer.status == 201)
        answer = try await server.admin(.POST, "/admin/defender/registries", json: [
            "name": "dist", "url": distribution.url, "kind": "distribution", "events": "notifications"])
        #expect(answer.status == 201)
        answer = try await server.admin(.POST, "/admin/defender/registries", json: [
            "name": "wrong", "url": second.url, "kind": "drydock", "username": "reader", "password": "not-the-password"])
        #expect(answer.status == 201)
        let listed = try JSONSerialization.data(withJSONObject: answer.body)
        #expect(!String(decoding: listed, as: UTF8.self).contains(Self.readerPassword), "a password is never answered back")
        for name in ["second", "dist", "wrong"] { _ = try await waitForListing(server, name) }

        // The wrong password: the registry's 401 in status; the others go on.
        let status = try await server.admin(.GET, "/admin/defender")
        let registries = (status.body["subscriptions"] as? [[String: Any]] ?? []).flatMap { $0["registries"] as? [[String: Any]] ?? [] }
        let wrong = try #require(registries.first { $0["name"] as? String == "wrong" })
        #expect((wrong["lastError"] as? String ?? "").contains("401"), "\(wrong)")
        #expect((wrong["pullTimes"] as? String ?? "").hasPrefix("unknown"))
        #expect(registries.first { $0["name"] as? String == "second" }?["lastError"] == nil)

        // A push to each is scanned, heard of through the registry's notification.
        let vulnerable = try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")])
        try await vulnerable.push(to: second.address, "team/api", tag: "1")
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: distribution.address, "apps/web", tag: "1")
        let fromSecond = try await server.waitFor("team/api:1", registry: "second")
        #expect(Self.packages(fromSecond).isSuperset(of: ["requests", "urllib3"]), "\(fromSecond)")
        let fromDistribution = try await server.waitFor("apps/web:1", registry: "dist")
        #expect(Self.packages(fromDistribution) == ["urllib3"], "\(fromDistribution)")
        for name in ["second", "dist"] {
            let view = try await registry(server, name)
            #expect(view["lastEventAt"] != nil, "\(name) notified the defender: \(view)")
        }
        // An image pushed by digest alone is heard of by its notification; a listing, which shows
        // tagged manifests only, does not take it for deleted.
        let untagged = try await TestImage.python([("urllib3", "1.24.1"), ("requests", "2.2.0")]).push(to: distribution.address, "apps/untagged", tag: nil)
        _ = try await server.waitFor("apps/untagged@\(untagged)", registry: "dist")
        #expect(try await server.admin(.POST, "/admin/defender/registries/dist/poll").status == 200)
        #expect((try? await server.show("apps/untagged@\(untagged)", registry: "dist")) != nil, "still known after a listing")
        // The dashboard shows an enrolled registry's image (to the admin) and lists the registries.
        let page = try await ExternalScannerTests.dashboardPage(server, "/ui/image?repository=team/api&tag=1&registry=second")
        #expect(page.contains("requests") && page.contains("second"), "the image page of an enrolled registry's image")
        let overview = try await ExternalScannerTests.dashboardPage(server, "/ui/")
        #expect(overview.contains("registry=dist") && overview.contains("registry=second"))
        // The same digest in the local registry is another image: nothing local was pushed.
        #expect((try? await server.show("team/api:1")) == nil)
        // The defender pulled as `reader` through the second Drydock's access control.
        await secondAccess.flushLogs()
        var query = ResourceLogQuery(table: .repositoryEvents)
        query.identity = "reader"
        #expect(try await secondAccess.queryLogs(query).contains { $0.operation == "Pull" })

        // The defender's own reads did not count as pulls; a user's pull through Distribution
        // (and through the second Drydock) keeps the image inside the 30-day window.
        let distImage = try #require(try await server.defenderStore.image(registry: "dist", repository: "apps/web", digest: fromDistribution["digest"] as? String ?? ""))
        #expect(distImage.lastPulledAt == nil)
        offset.withLock { $0 = 40 * 86400 }
        let before = try await server.defender.continuousPass()
        #expect(before.outsideWindow >= 2)
        try await Self.pull(distribution.address, "apps/web", tag: "1")
        try await Self.pull(second.address, "team/api", tag: "1", credentials: Credentials(username: "reader", password: Self.readerPassword))
        let deadline = Date().addingTimeInterval(30)
        var pulled: (Double?, Double?) = (nil, nil)
        while Date() < deadline {
            let dist = try await server.defenderStore.image(registry: "dist", repository: "apps/web", digest: distImage.digest)
            let api = try await server.defenderStore.image(registry: "second", repository: "team/api", digest: fromSecond["digest"] as? String ?? "")
            pulled = (dist?.lastPulledAt, api?.lastPulledAt)
            if pulled.0 != nil && pulled.1 != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(pulled.0 ?? 0 >= clock.now() - 60, "Distribution's pull event arrived")
        #expect(pulled.1 ?? 0 >= clock.now() - 60, "the second Drydock's pull event arrived")
        let after = try await server.defender.continuousPass()
        #expect(after.outsideWindow == before.outsideWindow - 2)
        #expect(after.reevaluated == before.reevaluated + 2)

        // A manifest deleted in Distribution leaves the defender's views.
        var options = RegistryClient.Options()
        options.plainHTTP = true
        options.readsAuthFiles = false
        let client = try RegistryClient(registry: distribution.address, options: options)
        try await client.deleteManifest(try RepositoryName("apps/web"), reference: .digest(try Digest(distImage.digest)))
        await client.shutdown()
        let gone = Date().addingTimeInterval(30)
        while Date() < gone, (try? await server.show("apps/web@\(distImage.digest)", registry: "dist")) != nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((try? await server.show("apps/web@\(distImage.digest)", registry: "dist")) == nil)

        // Garbage from a notifier is refused with a reason; unknown registries are not found.
        var garbage = try await server.admin(.POST, "/admin/defender/registries/dist/events", data: Data("<xml/>".utf8))
        #expect(garbage.status == 400)
        garbage = try await server.admin(.POST, "/admin/defender/registries/nobody/events", json: ["events": [Any]()])
        #expect(garbage.status == 404)

        await second.stop()
        await server.stop()
    }

    @Test(.enabled(if: DistributionRegistry.isInstalled, "docker-registry (CNCF Distribution) is needed"))
    func aRegistryWithoutNotificationsIsListedAndItsCredentialsAreSealed() async throws {
        let dir = try TemporaryDirectory.make(prefix: "enrolled-polled")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let offset = Mutex<Double>(0)
        let clock = DefenderClock { Date().timeIntervalSince1970 + offset.withLock { $0 } }
        let server = try await ScanningRegistry.start(database: database, clock: clock)
        let distribution = try await DistributionRegistry.start()
        defer { distribution.stop() }
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: distribution.address, "apps/web", tag: "1")

        // Enrolled with credentials Distribution does not ask for: they are stored sealed.
        let password = "a-password-that-must-not-leak"
        let answer = try await server.admin(.POST, "/admin/defender/registries", json: [
            "name": "quiet", "url": distribution.url, "kind": "distribution", "username": "someone", "password": password,
            "subscription": "team-b", "include": ["apps/**"]])
        #expect(answer.status == 201, "\(answer.body)")
        let quiet = try #require((answer.body["registries"] as? [[String: Any]])?.first { $0["name"] as? String == "quiet" })
        #expect(quiet["hasPassword"] as? Bool == true)
        #expect(quiet["subscription"] as? String == "team-b")
        #expect(quiet["password"] == nil && quiet["secret"] == nil)
        let key = server.directory + "/secret.key"
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0, "the generated key is readable by its owner only")
        // Other stored secrets are sealed the same way: a webhook's signing secret, a scanner's authorization.
        let webhookSecret = "webhook-secret-that-must-not-leak"
        let scannerToken = "Bearer scanner-token-that-must-not-leak"
        #expect(try await server.admin(.POST, "/admin/webhooks", json: ["url": "http://127.0.0.1:9/hook", "events": ["scan.completed"],
                                                                        "secret": webhookSecret]).status == 201)
        #expect(try await server.admin(.POST, "/admin/defender/scanners", json: ["name": "other", "url": "http://127.0.0.1:9/api/v1",
                                                                                 "authorization": scannerToken]).status == 201)
        #expect(try await server.defenderStore.webhooks().first?.secret == webhookSecret, "it still signs with the secret")
        #expect(try await server.defenderStore.scanners().first?.authorization == scannerToken)
        // Checkpointed or not, no secret is in either file.
        for file in ["/defender.sqlite", "/defender.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: server.directory + file))) ?? Data()
            for secret in [password, webhookSecret, scannerToken] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a secret in clear")
            }
        }
        _ = try await server.admin(.DELETE, "/admin/defender/scanners/other")
        // The sealed value opens only with this key, for this registry.
        let settings = try #require(try await server.defenderStore.registry(named: "quiet"))
        let box = try server.defender.secretBox()
        #expect(try box.unseal(try #require(settings.secret), context: "registry:quiet") == password)
        #expect(throws: DefenderError.self) { try box.unseal(settings.secret ?? Data(), context: "registry:other") }

        // The first listing (on enrolment) finds the image; a later push is found by the next listing.
        _ = try await waitForListing(server, "quiet")
        let web = try await server.waitFor("apps/web:1", registry: "quiet")
        #expect(Self.packages(web) == ["urllib3"])
        try await TestImage.python([("requests", "2.2.0")]).push(to: distribution.address, "apps/api", tag: "2")
        try await TestImage.python([("requests", "2.2.0")]).push(to: distribution.address, "other/skipped", tag: "1")
        let poll = try await server.admin(.POST, "/admin/defender/registries/quiet/poll")
        #expect(poll.status == 200, "\(poll.body)")
        #expect(poll.body["repositories"] as? Int == 2, "only the included repositories: \(poll.body)")
        _ = try await server.waitFor("apps/api:2", registry: "quiet")
        #expect((try? await server.show("other/skipped:1", registry: "quiet")) == nil)

        // Without notifications, pull times are unknown: status says so, and the continuous pass
        // re-evaluates everything the registry holds even after 40 days.
        let status = try await server.admin(.GET, "/admin/defender")
        let registries = (status.body["subscriptions"] as? [[String: Any]] ?? []).flatMap { $0["registries"] as? [[String: Any]] ?? [] }
        #expect((registries.first { $0["name"] as? String == "quiet" }?["pullTimes"] as? String ?? "").hasPrefix("unknown"))
        offset.withLock { $0 = 40 * 86400 }
        let pass = try await server.defender.continuousPass()
        #expect(pass.reevaluated == 2 && pass.outsideWindow == 0, "\(pass)")

        // The subscription's plan applies to its registries: off, a new image waits.
        _ = try await server.admin(.POST, "/admin/defender/disable", json: ["subscription": "team-b"])
        try await TestImage.python([("urllib3", "1.24.1"), ("requests", "2.2.0")]).push(to: distribution.address, "apps/late", tag: "1")
        _ = try await server.admin(.POST, "/admin/defender/registries/quiet/poll")
        try await Task.sleep(for: .seconds(1))
        let late = try await server.show("apps/late:1", state: "all", registry: "quiet")
        #expect(late["scanStatus"] as? String == "queued")
        _ = try await server.admin(.POST, "/admin/defender/enable", json: ["subscription": "team-b"])
        _ = try await server.waitFor("apps/late:1", registry: "quiet")

        // Bad enrolments are refused with a reason; removing a registry removes its images.
        for body: [String: Any] in [
            ["name": "local", "url": distribution.url],
            ["name": "x", "url": "ftp://example"],
            ["name": "x", "url": "http://user:pw@127.0.0.1:1"],
            ["name": "x", "url": distribution.url, "password": "no-username"],
            ["name": "quiet", "url": distribution.url],
        ] {
            let refused = try await server.admin(.POST, "/admin/defender/registries", json: body)
            #expect(refused.status == 400 || refused.status == 409, "\(body): \(refused.status)")
        }
        let removed = try await server.admin(.DELETE, "/admin/defender/registries/quiet")
        #expect(removed.status == 200)
        #expect((try? await server.show("apps/web:1", registry: "quiet")) == nil)
        #expect(try await server.admin(.DELETE, "/admin/defender/registries/local").status == 400)

        await server.stop()
    }
}
