import Access
import DrydockTestSupport
import Foundation
import Testing

/// The dashboard in a real browser: headless Chromium driven by Selenium
/// (Scripts/dashboard_browser.py) against a registry and defender this test starts and fills —
/// images pushed and scanned, a scoped user, a scan blocked by the network rules. The script
/// compares what the pages show with the admin API, drills down, filters, changes settings,
/// checks that a cross-site post is refused, and leaves screenshots of the main pages in
/// `.build/test-output/dashboard/`.
@Suite struct DashboardBrowserTests {
    static let browserWorks: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") else { return false }
        return (try? Command.runBlocking(["python3", "-c", "import selenium"], environment: [:], directory: nil))?.succeeded ?? false
    }()

    @Test(.enabled(if: browserWorks, "chromium, chromium-driver and selenium are needed"), .timeLimit(.minutes(10)))
    func theDashboardShowsWhatTheAPISaysAndKeepsItsSettingsSafe() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dashboard")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        // A blocked scan stays blocked until the settings change wakes it (not retried every 2 s
        // meanwhile), so that the overview and the API are read in the same state.
        let server = try await ScanningRegistry.start(database: database, privateEndpoint: true) { $0.blockedRetryInterval = 600 }
        let access = try #require(server.registry.access)
        let privateAddress = try #require(server.privateAddress)

        try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")]).push(to: privateAddress, "team/api", tag: "1")
        try await TestImage.python([("requests", "99.0.0")]).push(to: privateAddress, "team/clean", tag: "1")
        try await TestImage.python([("urllib3", "1.24.1"), ("Jinja2", "2.10")]).push(to: privateAddress, "other/app", tag: "1")
        for reference in ["team/api:1", "team/clean:1", "other/app:1"] { try await server.waitFor(reference) }
        _ = try await access.createUser(name: "reader", password: "reader-password-1",
                                        scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull])]))

        // A scan blocked by the network rules: public access off, trusted services off.
        var rules = access.networkRules
        rules.publicAccess = false
        rules.trustedServices = false
        try await access.setNetworkRules(rules)
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: privateAddress, "team/blocked", tag: "1")
        try await server.waitFor("team/blocked:1", status: ["blocked-by-network-rules"], timeout: 30)

        let output = TestDatabases.repositoryRoot + "/.build/test-output/dashboard"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "base": "http://\(privateAddress)", "publicBase": "http://\(server.address)", "adminPassword": TestRegistry.adminPassword,
            "reader": ["name": "reader", "password": "reader-password-1", "allowed": "team/", "hidden": "other/app"],
            "blocked": "team/blocked", "exempt": "CVE-2014-1830", "output": output,
        ]
        let configFile = dir + "/dashboard.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))
        let script = TestDatabases.repositoryRoot + "/Tests/DefenderTests/Scripts/dashboard_browser.py"
        let result = try await Command.run(["python3", script, configFile])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr.suffix(4000))")
        for page in ["overview", "image", "vulnerability", "logs"] {
            #expect(FileManager.default.fileExists(atPath: "\(output)/\(page).png"), "screenshot \(page)")
        }
        await server.stop()
    }
}
