import Defender
import DrydockTestSupport
import Foundation
import Synchronization
import Testing

/// Usage and charges with a real registry and defender: each digest counts once per
/// subscription and period, whichever repository or trigger; a disabled plan counts nothing.
@Suite struct UsageTests {
    static func subscription(_ view: [String: Any]) -> [String: Any] {
        (view["subscriptions"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "default" } ?? [:]
    }

    @Test func eachDigestCountsOncePerPeriodAndADisabledPlanCountsNothing() async throws {
        let dir = try TemporaryDirectory.make(prefix: "usage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let offset = Mutex<Double>(0)
        let clock = DefenderClock { Date().timeIntervalSince1970 + offset.withLock { $0 } }
        let server = try await ScanningRegistry.start(database: database, clock: clock) { $0.pricePerImage = Decimal(string: "0.50")! }
        let image = try await TestImage.python([("requests", "2.2.0")])
        let digest = try await image.push(to: server.address, "team/a", tag: "1")
        try await image.push(to: server.address, "team/b", tag: "1")
        try await server.waitFor("team/a:1")
        try await server.waitFor("team/b:1")
        _ = try await server.defender.continuousPass()
        try await waitUntil { (try? await server.defenderStore.queueCounts())?.queued == 0 }

        let firstPeriod = DefenderStore.period(of: clock.now())
        var usage = try await server.admin(.GET, "/admin/usage")
        #expect(usage.body["period"] as? String == firstPeriod)
        var mine = Self.subscription(usage.body)
        #expect(mine["imagesScanned"] as? Int == 1, "one digest in two repositories, scanned and re-evaluated: \(usage.body)")
        #expect((mine["charge"] as? [String: Any])?["amount"] as? Double == 0.5)
        #expect((mine["charge"] as? [String: Any])?["currency"] as? String == "USD")
        #expect((mine["registries"] as? [[String: Any]])?.first?["imagesScanned"] as? Int == 1)

        // The next month: a pull keeps the image in the window, the daily pass counts it again.
        offset.withLock { $0 = 32 * 86400 }
        let secondPeriod = DefenderStore.period(of: clock.now())
        #expect(secondPeriod != firstPeriod)
        try await server.defender.handle(ImageEvent(kind: .pull, repository: "team/a", digest: digest, time: clock.now()))
        _ = try await server.defender.continuousPass()
        try await waitUntil {
            let view = try? await server.admin(.GET, "/admin/usage")
            return Self.subscription(view?.body ?? [:])["imagesScanned"] as? Int == 1
        }
        usage = try await server.admin(.GET, "/admin/usage?period=\(firstPeriod)")
        #expect(Self.subscription(usage.body)["imagesScanned"] as? Int == 1, "the first period keeps its count")

        // Plan off: a new image is recorded but neither scanned nor counted; on again, it is both.
        #expect(try await server.admin(.POST, "/admin/defender/disable", json: [:]).status == 200)
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: server.address, "team/c", tag: "1")
        try await server.waitFor("team/c:1", status: ["queued"])
        _ = try await server.defender.continuousPass()
        try await Task.sleep(for: .milliseconds(500))
        mine = Self.subscription(try await server.admin(.GET, "/admin/usage").body)
        #expect(mine["imagesScanned"] as? Int == 1 && mine["plan"] as? String == "disabled")
        #expect(try await server.admin(.POST, "/admin/defender/enable", json: [:]).status == 200)
        try await server.waitFor("team/c:1")
        mine = Self.subscription(try await server.admin(.GET, "/admin/usage").body)
        #expect(mine["imagesScanned"] as? Int == 2)

        // Bad input: a clear 400 or 404.
        #expect(try await server.admin(.GET, "/admin/usage?period=2026-13").status == 400)
        #expect(try await server.admin(.GET, "/admin/usage?subscription=nope").status == 404)
        await server.stop()
    }
}
