import DrydockTestSupport
import Foundation
import RegistryServer
import Testing

/// Abusive clients on raw sockets (Scripts/abusive_clients.py) against a real server with short
/// limits: a head trickled for longer than the idle timeout, an upload that stops sending,
/// hundreds of idle connections past the per-address limit, a 256 KiB header and a 1 MiB URL,
/// Content-Length with Transfer-Encoding, pipelined requests — while an ordinary client from
/// another address is served within its usual latency.
@Suite struct AbusiveClientTests {
    static var scripts: String {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.path + "/Scripts"
    }

    @Test func abusersAreCutOffAndOthersKeepBeingServed() async throws {
        var limits = ConnectionLimits()
        limits.idleTimeout = .seconds(2)
        limits.bodyTimeout = .seconds(2)
        limits.maxConnectionsPerAddress = 300
        limits.maxHeaderSize = 16 * 1024
        let registry = try await TestRegistry.start { $0.connections = limits }
        let run = try await Command.run(["python3", Self.scripts + "/abusive_clients.py", String(registry.port), "2", "2", "300"])
        await registry.stop()
        #expect(run.succeeded, "\(run.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")

        // Slowloris: still trickling, cut off at the idle timeout (plus scheduling slack).
        let slowloris = try #require(results["slowlorisClosedAfter"] as? Double, "never closed: \(results)")
        #expect(slowloris >= 1.5 && slowloris < 5, "\(slowloris) s")
        // An upload that stopped sending is cut off at the body timeout.
        let stalled = try #require(results["stalledUploadClosedAfter"] as? Double, "never closed: \(results)")
        #expect(stalled >= 1.5 && stalled < 5, "\(stalled) s")
        // Past 300 connections from one address, the rest are closed at once; after the idle
        // timeout none of them is left.
        #expect((results["idleClosedAtOnce"] as? Int ?? 0) >= 150, "\(results)")
        #expect(results["idleStillOpenAfterTimeout"] as? Int == 0, "\(results)")
        // The ordinary client on 127.0.0.1 was served throughout, about as fast as just before
        // the abusers came (this machine's load, e.g. the rest of the suite, sets the baseline).
        #expect(results["ordinaryFailure"] == nil, "\(results)")
        let baseline = results["baselineMedianMs"] as? Double ?? 0
        #expect((results["ordinaryMedianMs"] as? Double ?? .infinity) < baseline * 5 + 50, "\(results)")
        // Oversized headers: refused (NIO's decoder stops at the limit; Hummingbird answers 400)
        // and closed; an oversized URL is refused too.
        let header = results["oversizedHeader"] as? String ?? ""
        #expect(header.contains(" 400 ") || header.contains(" 431 "), "\(results)")
        #expect(results["oversizedHeaderClosed"] as? Bool == true)
        let url = results["oversizedURL"] as? String ?? ""
        #expect(url.contains(" 4") || url.hasPrefix("closed"), "\(url)")
        // Content-Length with Transfer-Encoding is refused, and nothing after it is answered.
        #expect((results["smugglingFirstStatus"] as? String ?? "").contains("400"), "\(results)")
        #expect(results["smugglingResponses"] as? Int == 1, "\(results)")
        // Pipelined requests are answered, in order.
        #expect(results["pipelinedStatuses"] as? [String] == ["200", "200", "200", "404"], "\(results)")
    }
}
