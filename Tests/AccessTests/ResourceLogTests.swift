import Access
import DrydockTestSupport
import Foundation
import Logging
import NIOHTTP1
import OCI
import Testing

/// RegistryLoginEvents and RegistryRepositoryEvents: the rows a push, a pull by someone else and a
/// failed login leave; switching logs off; retention.
@Suite(.serialized) struct ResourceLogTests {
    @Test func pushPullAndFailedLoginLeaveRows() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        let (_, pushPassword) = try await access.createToken(name: "pusher", scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull, .push])]), expiresAt: nil)
        let (_, pullPassword) = try await access.createToken(name: "puller", scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull])]), expiresAt: nil)
        let pusher = AccessHTTP.basic("pusher", pushPassword)
        let (digest, _) = try await http.pushImage("team/app", tag: "v1", auth: pusher)
        let pulled = try await http.send(.GET, "/v2/team/app/manifests/v1", headers: [AccessHTTP.basic("puller", pullPassword), ("User-Agent", "log-test/1")])
        #expect(pulled.status == 200)
        let failed = try await http.send(.GET, "/v2/", headers: [AccessHTTP.basic("puller", "wrong-password")])
        #expect(failed.status == 401)
        let login = try await http.send(.GET, "/v2/", headers: [AccessHTTP.basic("puller", pullPassword)])
        #expect(login.status == 200)

        let query = try await http.send(.GET, "/admin/logs?table=RegistryRepositoryEvents", headers: [AccessHTTP.admin])
        #expect(query.status == 200, "\(query.text)")
        let rows = try #require(query.json["rows"] as? [[String: Any]])
        let push = try #require(rows.first { $0["OperationName"] as? String == "Push" })
        #expect(push["Identity"] as? String == "pusher")
        #expect(push["IdentityType"] as? String == "token")
        #expect(push["CallerIpAddress"] as? String == "127.0.0.1")
        #expect(push["Repository"] as? String == "team/app")
        #expect(push["Tag"] as? String == "v1")
        #expect(push["Digest"] as? String == digest.description)
        #expect(push["ResultType"] as? String == "Success")
        #expect((push["Size"] as? Int ?? 0) > 0)
        #expect((push["CorrelationId"] as? String)?.isEmpty == false)
        let pull = try #require(rows.first { $0["OperationName"] as? String == "Pull" })
        #expect(pull["Identity"] as? String == "puller")
        #expect(pull["Digest"] as? String == digest.description)
        #expect(pull["Tag"] as? String == "v1")
        #expect(pull["UserAgent"] as? String == "log-test/1")

        let logins = try await http.send(.GET, "/admin/logs?table=RegistryLoginEvents&identity=puller", headers: [AccessHTTP.admin])
        let loginRows = try #require(logins.json["rows"] as? [[String: Any]])
        #expect(loginRows.contains { $0["ResultType"] as? String == "Failure" && $0["CallerIpAddress"] as? String == "127.0.0.1" })
        #expect(loginRows.contains { $0["ResultType"] as? String == "Success" })
        let failures = try await http.send(.GET, "/admin/logs?table=RegistryLoginEvents&result=Failure", headers: [AccessHTTP.admin])
        #expect((failures.json["rows"] as? [[String: Any]])?.allSatisfy { $0["ResultType"] as? String == "Failure" } == true)
        // Time range: nothing before the epoch's first second, everything since.
        let none = try await http.send(.GET, "/admin/logs?table=RegistryRepositoryEvents&until=1", headers: [AccessHTTP.admin])
        #expect((none.json["rows"] as? [[String: Any]])?.isEmpty == true)
        let bad = try await http.send(.GET, "/admin/logs?table=Nope", headers: [AccessHTTP.admin])
        #expect(bad.status == 400)
        let unknownParameter = try await http.send(.GET, "/admin/logs?table=RegistryLoginEvents&color=red", headers: [AccessHTTP.admin])
        #expect(unknownParameter.status == 400)
        await registry.stop()
    }

    /// Whatever a client sends (the user agent is the client's own text) comes back unchanged,
    /// and absent columns stay NULL rather than becoming text. (NUL is left out: HTTP header
    /// values cannot carry it, and SQLite text ends at it.)
    @Test func awkwardTextSurvivesTheBatchedInsert() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drydock-logrows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let access = try await AccessController.open(databasePath: directory.appendingPathComponent("m.sqlite").path,
                                                     adminPassword: "admin-password", logger: logger)
        let awkward = "quote\" backslash\\ tab\t newline\n control\u{1f} ünïcødé 🚢 ' ; DROP TABLE x; --"
        var rows: [ResourceLogEvent] = []
        // Every size class of a JSONB string header (and, with the long ones, more bytes than one
        // inserted chunk holds).
        let lengths = [0, 11, 12, 255, 256, 65_535, 65_536, 300_000]
        for i in 0..<1200 {
            let agent = i < 80 ? String(repeating: "ü", count: lengths[i % lengths.count] / 2) + (i % 2 == 0 ? "" : "x") : awkward
            rows.append(ResourceLogEvent(time: 1_700_000_000.25 + Double(i), identity: "id\(i)", identityType: "token", callerIP: "::1",
                                         userAgent: agent, operation: "Pull", repository: i % 2 == 0 ? "team/app" : nil,
                                         tag: i % 3 == 0 ? "" : nil, digest: nil,
                                         size: i == 7 ? .min : i == 11 ? -1 : i % 5 == 0 ? Int64(i) * 1_000_000_000 : nil,
                                         result: "Success", resultDescription: "200", correlationID: "c\(i)", loginServer: nil))
        }
        for row in rows { access.record(.repositoryEvents, row) }
        var query = ResourceLogQuery(table: .repositoryEvents)
        query.limit = 5000
        let stored = try await access.queryLogs(query)
        await access.close()
        #expect(stored.count == rows.count)
        for (got, want) in zip(stored, rows) {
            var got = got
            got.id = nil
            #expect(got == want)
            if got != want { break }
        }
    }

    /// A flush that fails (here: the table is renamed away under the running controller) keeps
    /// its rows, in front of those recorded meanwhile, and the next flush writes them all.
    @Test(.enabled(if: (try? Command.runBlocking(["sqlite3", "-version"], environment: [:], directory: nil))?.succeeded ?? false))
    func failedFlushKeepsRowsInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drydock-logretry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let database = directory.appendingPathComponent("m.sqlite").path
        let access = try await AccessController.open(databasePath: database, adminPassword: "admin-password", logger: logger)
        func row(_ i: Int) -> ResourceLogEvent {
            ResourceLogEvent(time: 1_700_000_000 + Double(i), identity: "id\(i)", identityType: "token", callerIP: "127.0.0.1",
                             userAgent: "test", operation: "Pull", repository: "team/app", result: "Success",
                             resultDescription: "200", correlationID: "c\(i)")
        }
        func sql(_ statement: String) async throws {
            let result = try await Command.run(["sqlite3", database, statement])
            #expect(result.succeeded, "\(result.stderr)")
        }
        for i in 0..<3 { access.record(.repositoryEvents, row(i)) }
        try await sql("ALTER TABLE registry_repository_events RENAME TO parked")
        await access.flushLogs()  // fails: no such table
        for i in 3..<5 { access.record(.repositoryEvents, row(i)) }
        try await sql("ALTER TABLE parked RENAME TO registry_repository_events")
        var query = ResourceLogQuery(table: .repositoryEvents)
        query.limit = 100
        let stored = try await access.queryLogs(query)
        await access.close()
        #expect(stored.map(\.identity) == (0..<5).map { "id\($0)" })
    }

    @Test func switchingOffStopsNewRowsAndRetentionRemovesOldOnes() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let access = try #require(registry.access)
        try await http.pushImage("app", tag: "v1", auth: AccessHTTP.admin)
        let off = try await http.json(.PATCH, "/admin/logs/settings", ["enabled": false])
        #expect(off.status == 200)
        let before = try await access.queryLogs(ResourceLogQuery(table: .repositoryEvents)).count
        #expect(before == 1)
        try await http.pushImage("app", tag: "v2", auth: AccessHTTP.admin)
        _ = try await http.send(.GET, "/v2/app/manifests/v2", headers: [AccessHTTP.admin])
        #expect(try await access.queryLogs(ResourceLogQuery(table: .repositoryEvents)).count == before)
        #expect(try await http.json(.PATCH, "/admin/logs/settings", ["enabled": true, "retentionDays": 2]).status == 200)
        _ = try await http.send(.GET, "/v2/app/manifests/v2", headers: [AccessHTTP.admin])
        #expect(try await access.queryLogs(ResourceLogQuery(table: .repositoryEvents)).count == before + 1)

        let bad = try await http.json(.PATCH, "/admin/logs/settings", ["retentionDays": 0])
        #expect(bad.status == 400)
        #expect(access.logSettings.retentionDays == 2)

        // Three days later, everything is past the two-day retention.
        #expect(try await access.applyRetention(now: Date().addingTimeInterval(86400)) == 0)
        #expect(try await access.applyRetention(now: Date().addingTimeInterval(3 * 86400)) > 0)
        #expect(try await access.queryLogs(ResourceLogQuery(table: .repositoryEvents)).isEmpty)
        #expect(try await access.queryLogs(ResourceLogQuery(table: .loginEvents)).isEmpty)
        await registry.stop()
    }

    @Test func streamFollowsNewRowsAsJSONLines() async throws {
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let http = AccessHTTP(registry)
        let reader = Task { () -> String in
            let result = try await Command.run(["curl", "-s", "-N", "--max-time", "4", "-u", "admin:\(TestRegistry.adminPassword)",
                                                registry.url + "/admin/logs/stream?table=RegistryRepositoryEvents"])
            return result.stdout
        }
        try await Task.sleep(for: .milliseconds(1200))
        try await http.pushImage("streamed", tag: "v1", auth: AccessHTTP.admin)
        let output = try await reader.value
        let lines = output.split(separator: "\n")
        #expect(lines.count == 1, "\(output)")
        let row = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(row["Repository"] as? String == "streamed")
        #expect(row["OperationName"] as? String == "Push")
        await registry.stop()
    }
}
