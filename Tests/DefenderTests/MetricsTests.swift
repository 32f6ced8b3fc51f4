import AsyncHTTPClient
import DrydockTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `/metrics` with a real registry and defender: credentials required, the text parses with
/// Prometheus' own client parser, and the counters move with the traffic this test sends.
@Suite struct MetricsTests {
    static let parserWorks = (try? Command.runBlocking(["python3", "-c", "import prometheus_client"], environment: [:], directory: nil))?.succeeded ?? false

    /// A GET, as the admin (or anonymously): status and body.
    static func get(_ url: String, admin: Bool = true, accept: String? = nil) async throws -> (status: UInt, body: Data) {
        var request = HTTPClientRequest(url: url)
        if admin {
            request.headers.add(name: "Authorization", value: "Basic " + Data("admin:\(TestRegistry.adminPassword)".utf8).base64EncodedString())
        }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status.code, Data(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    /// `/metrics`, parsed by prometheus-client: sample name with sorted labels → value.
    static func scrape(_ server: ScanningRegistry, in dir: String) async throws -> [String: Double] {
        let (status, body) = try await get("http://\(server.address)/metrics")
        #expect(status == 200)
        let file = dir + "/metrics-\(UUID().uuidString.prefix(6)).txt"
        try body.write(to: URL(fileURLWithPath: file))
        let result = try await Command.run(["python3", TestDatabases.repositoryRoot + "/Tests/DefenderTests/Scripts/parse_metrics.py", file])
        #expect(result.succeeded, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Double] ?? [:]
        return object
    }

    static func value(_ samples: [String: Double], _ name: String, _ labels: [String: String] = [:]) -> Double {
        let wanted = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return samples.filter { key, _ in
            guard key.hasPrefix(name + "{") else { return false }
            let inside = key.dropFirst(name.count + 1).dropLast()
            let present = Set(inside.split(separator: ",").map(String.init))
            return wanted.allSatisfy(present.contains)
        }.values.reduce(0, +)
    }

    @Test(.enabled(if: parserWorks, "python3 with prometheus-client is needed")) func theCountersMoveWithTheTraffic() async throws {
        let dir = try TemporaryDirectory.make(prefix: "metrics")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)

        let anonymous = try await Self.get("http://\(server.address)/metrics", admin: false)
        #expect(anonymous.status == 401, "the metrics need credentials")

        let before = try await Self.scrape(server, in: dir)
        let image = try await TestImage.python([("requests", "2.2.0")])
        try await image.push(to: server.address, "metrics/app", tag: "1")
        try await server.waitFor("metrics/app:1")
        for _ in 0..<3 {
            let pulled = try await Self.get("http://\(server.address)/v2/metrics/app/manifests/1",
                                            accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
            #expect(pulled.status == 200)
        }
        await server.defender.updateMetrics()
        let after = try await Self.scrape(server, in: dir)

        let pushes = Self.value(after, "drydock_http_requests_total", ["route": "manifest", "method": "PUT", "status": "201"])
            - Self.value(before, "drydock_http_requests_total", ["route": "manifest", "method": "PUT", "status": "201"])
        #expect(pushes >= 1, "manifest pushes counted")
        let pulls = Self.value(after, "drydock_http_requests_total", ["route": "manifest", "method": "GET", "status": "200"])
            - Self.value(before, "drydock_http_requests_total", ["route": "manifest", "method": "GET", "status": "200"])
        #expect(pulls >= 3, "manifest pulls counted (the test's three and the defender's)")
        #expect(Self.value(after, "drydock_http_received_bytes_total", ["route": "upload"])
                > Self.value(before, "drydock_http_received_bytes_total", ["route": "upload"]), "bytes in")
        #expect(Self.value(after, "drydock_http_sent_bytes_total", ["route": "blob"])
                > Self.value(before, "drydock_http_sent_bytes_total", ["route": "blob"]), "bytes out")
        #expect(Self.value(after, "drydock_http_request_duration_seconds_count", ["route": "manifest"]) >= pushes + pulls, "latency histogram")
        #expect(Self.value(after, "drydock_scans_total", ["result": "completed"]) > Self.value(before, "drydock_scans_total", ["result": "completed"]))
        #expect(Self.value(after, "drydock_scan_duration_seconds_count") >= 1)
        #expect(after.keys.contains { $0.hasPrefix("drydock_open_findings{") }, "findings by severity")
        #expect(after.keys.contains { $0.hasPrefix("drydock_scan_queue_depth{") }, "queue depth")
        #expect(Self.value(after, "drydock_vulnerability_database_age_seconds") >= 0 && after.keys.contains { $0.hasPrefix("drydock_vulnerability_database_age_seconds") })
        #expect(after.keys.contains { $0.hasPrefix("drydock_storage_bytes") }, "storage size")
        await server.stop()
    }
}
