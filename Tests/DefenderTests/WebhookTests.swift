import Crypto
import Defender
import DrydockTestSupport
import Foundation
import Hummingbird
import NIOHTTP1
import Synchronization
import Testing

/// Webhooks with a real registry and defender and real receivers (Hummingbird on loopback):
/// signed events that verify, retries for a receiver answering 500, and a receiver that never
/// answers delaying nothing else.
@Suite struct WebhookTests {
    struct Received: Sendable {
        var event: String
        var body: Data
        var timestamp: String
        var signature: String
    }

    /// `/ok` records what it gets, `/fail` answers 500, `/hang` never answers in time.
    final class Recorder: Sendable {
        let received = Mutex<[Received]>([])
        let failures = Mutex(0)
    }

    final class Receiver: Sendable {
        let recorder = Recorder()
        let port: Int
        let task: Task<Void, any Error>

        init() async throws {
            let router = Router()
            let recorder = self.recorder
            router.post("ok") { request, _ -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 1 << 20)
                func header(_ name: String) -> String { request.headers.first { $0.name.canonicalName == name }?.value ?? "" }
                recorder.received.withLock {
                    $0.append(Received(event: header("x-drydock-event"), body: Data(buffer: body), timestamp: header("x-drydock-timestamp"),
                                       signature: header("x-drydock-signature")))
                }
                return .ok
            }
            router.post("fail") { _, _ -> HTTPResponse.Status in
                recorder.failures.withLock { $0 += 1 }
                return .internalServerError
            }
            router.post("hang") { _, _ -> HTTPResponse.Status in
                try await Task.sleep(for: .seconds(600))
                return .ok
            }
            let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
            task = Task { try await app.runService(gracefulShutdownSignals: []) }
            var ports = stream.makeAsyncIterator()
            port = await ports.next() ?? 0
        }

        func events() -> [String] { recorder.received.withLock { $0.map(\.event) } }
        func all() -> [Received] { recorder.received.withLock { $0 } }
        func failureCount() -> Int { recorder.failures.withLock { $0 } }
    }

    static let secret = "a-webhook-secret-of-some-length"

    @Test func eventsAreSignedRetriedAndASilentReceiverDelaysNothing() async throws {
        let dir = try TemporaryDirectory.make(prefix: "webhooks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let receiver = try await Receiver()
        defer { receiver.task.cancel() }
        let server = try await ScanningRegistry.start(database: database) {
            $0.webhooks.timeout = 10
            $0.webhooks.retryBase = 0.2
            $0.webhooks.maxAttempts = 4
        }
        let base = "http://127.0.0.1:\(receiver.port)"
        let all = WebhookEvent.allCases.map(\.rawValue)
        var made = try await server.admin(.POST, "/admin/webhooks", json: ["url": base + "/ok", "events": all, "secret": Self.secret])
        #expect(made.status == 201 && made.body["secret"] == nil, "\(made.body)")
        made = try await server.admin(.POST, "/admin/webhooks", json: ["url": base + "/fail", "events": ["scan.completed"], "secret": Self.secret])
        let failing = try #require(made.body["id"] as? Int)
        made = try await server.admin(.POST, "/admin/webhooks", json: ["url": base + "/hang", "events": all, "secret": Self.secret])
        let hanging = try #require(made.body["id"] as? Int)

        // A vulnerable image: scanned, new findings, unhealthy — each event signed.
        try await TestImage.python([("requests", "2.2.0"), ("urllib3", "1.24.1")]).push(to: server.address, "team/api", tag: "1")
        try await server.waitFor("team/api:1")
        let scanned = Date()
        try await waitUntil(timeout: 30) { Set(receiver.events()).isSuperset(of: ["scan.completed", "finding.new", "image.unhealthy"]) }
        // The receiver that never answers held up neither the scan nor the other receiver: one
        // delivery at a time to everyone would have made these three wait out its 10 s timeout
        // twice over.
        #expect(Date().timeIntervalSince(scanned) < 9)
        for delivery in receiver.all() {
            let expected = WebhookSignature.sign(body: delivery.body, timestamp: Int(delivery.timestamp) ?? 0, secret: Self.secret)
            #expect(delivery.signature == expected, "signature of \(delivery.event)")
            // The receiver's own check, written the way docs/defender.md tells receivers to.
            var message = Data("\(delivery.timestamp).".utf8)
            message.append(delivery.body)
            let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(Self.secret.utf8)))
            #expect(delivery.signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        }
        let newFindings = try #require(receiver.all().first { $0.event == "finding.new" })
        let payload = try #require(try JSONSerialization.jsonObject(with: newFindings.body) as? [String: Any])
        #expect(payload["repository"] as? String == "team/api" && payload["tags"] as? [String] == ["1"])
        #expect((payload["findings"] as? [[String: Any]] ?? []).contains { $0["vulnerabilityID"] as? String == "CVE-2014-1830" })

        // The fix pushed under the same tag: what it fixed is resolved, naming the new digest.
        let fixed = try await TestImage.python([("requests", "99.0.0"), ("urllib3", "99.0.0")]).push(to: server.address, "team/api", tag: "1")
        try await server.waitFor("team/api:1") { $0["digest"] as? String == fixed }
        try await waitUntil(timeout: 20) { receiver.events().contains("finding.resolved") && receiver.events().contains("image.healthy") }
        let resolved = try #require(receiver.all().first { $0.event == "finding.resolved" })
        let resolvedPayload = try #require(try JSONSerialization.jsonObject(with: resolved.body) as? [String: Any])
        #expect((resolvedPayload["findings"] as? [[String: Any]] ?? []).allSatisfy { $0["resolvedBy"] as? String == fixed })

        // The failing receiver was tried again with backoff, and the log says what it answered.
        try await waitUntil(timeout: 20) { receiver.failureCount() >= 3 }
        let log = try await server.admin(.GET, "/admin/webhooks/\(failing)/deliveries")
        let attempts = (log.body["deliveries"] as? [[String: Any]] ?? []).compactMap { $0["attempts"] as? Int }.max() ?? 0
        #expect(attempts >= 3)
        #expect((log.body["deliveries"] as? [[String: Any]] ?? []).allSatisfy { $0["lastStatus"] as? Int == 500 || $0["attempts"] as? Int == 0 })
        // The silent receiver's events were queued for it all the same (still pending or timed out).
        let silent = try await server.admin(.GET, "/admin/webhooks/\(hanging)/deliveries")
        #expect(Set((silent.body["deliveries"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String })
                    .isSuperset(of: ["scan.completed", "finding.new", "image.unhealthy"]))
        #expect((silent.body["deliveries"] as? [[String: Any]] ?? []).allSatisfy { $0["state"] as? String != "delivered" })

        // Bad input: refused with a reason.
        for body: [String: Any] in [["url": "ftp://x", "events": all, "secret": Self.secret], ["url": base, "events": ["scan.exploded"], "secret": Self.secret],
                                    ["url": base, "events": all, "secret": "short"], ["url": base, "events": all, "secret": Self.secret, "extra": 1]] {
            #expect(try await server.admin(.POST, "/admin/webhooks", json: body).status == 400, "\(body)")
        }
        #expect(try await server.admin(.DELETE, "/admin/webhooks/\(hanging)").status == 200)
        #expect(try await server.admin(.DELETE, "/admin/webhooks/\(hanging)").status == 404)
        await server.stop()
    }
}
