#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import DrydockTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import OCI
import Testing

/// kill -9 the real server while 20 uploads are in flight: after a restart nothing partial is
/// visible, what finished is intact, and fsck is clean.
@Suite struct CrashSafetyTests {
    @Test func killDuringConcurrentUploadsLeavesConsistentStore() async throws {
        let binary = try await Fixtures.drydockBinary
        let data = try TemporaryDirectory.make(prefix: "crash")
        defer { try? FileManager.default.removeItem(atPath: data) }
        var server = try DrydockProcess(binary: binary, data: data)
        let base = "http://127.0.0.1:\(server.port)"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        // Ten uploads that finish before the crash, plus a manifest referencing two of them.
        var finished: [(Digest, [UInt8])] = []
        for i in 0..<10 {
            let bytes = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* (i + 7)) }
            let digest = Digest.compute(bytes)
            var request = HTTPClientRequest(url: "\(base)/v2/crash/app/blobs/uploads/?digest=\(digest)")
            request.method = .POST
            request.body = .bytes(bytes)
            let response = try await http.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 201)
            finished.append((digest, bytes))
        }
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: finished[0].0, size: Int64(finished[0].1.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: finished[1].0, size: Int64(finished[1].1.count))])
        var put = HTTPClientRequest(url: "\(base)/v2/crash/app/manifests/v1")
        put.method = .PUT
        put.headers.add(name: "Content-Type", value: MediaType.ociManifest)
        put.body = .bytes(manifest.canonicalJSON())
        #expect(try await http.execute(put, timeout: .seconds(30)).status.code == 201)

        // Twenty uploads that never finish: half monolithic, half chunked; each has sent 2 MiB of 8.
        var pending: [Digest] = []
        var continuations: [AsyncStream<ByteBuffer>.Continuation] = []
        var tasks: [Task<Void, Never>] = []
        for i in 0..<20 {
            let full = [UInt8](repeating: UInt8(i), count: 8 << 20)
            let digest = Digest.compute(full)
            pending.append(digest)
            let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            continuation.yield(ByteBuffer(bytes: full.prefix(2 << 20)))
            continuations.append(continuation)
            let url: String
            let method: HTTPMethod
            if i % 2 == 0 {
                url = "\(base)/v2/crash/app/blobs/uploads/?digest=\(digest)"
                method = .POST
            } else {
                var start = HTTPClientRequest(url: "\(base)/v2/crash/app/blobs/uploads/")
                start.method = .POST
                let location = try await http.execute(start, timeout: .seconds(30)).headers.first(name: "Location") ?? ""
                url = base + location
                method = .PATCH
            }
            tasks.append(Task {
                var request = HTTPClientRequest(url: url)
                request.method = method
                request.body = .stream(stream, length: .known(Int64(full.count)))
                _ = try? await http.execute(request, timeout: .seconds(60))
            })
        }
        // Let the bytes arrive and be written, then crash.
        try await Task.sleep(for: .seconds(1))
        server.kill9()
        for c in continuations { c.finish() }
        for t in tasks { await t.value }

        server = try DrydockProcess(binary: binary, data: data)
        let restarted = "http://127.0.0.1:\(server.port)"
        for digest in pending {
            var head = HTTPClientRequest(url: "\(restarted)/v2/crash/app/blobs/\(digest)")
            head.method = .HEAD
            #expect(try await http.execute(head, timeout: .seconds(30)).status.code == 404, "partial blob \(digest) is visible")
        }
        for (digest, bytes) in finished {
            let response = try await http.execute(HTTPClientRequest(url: "\(restarted)/v2/crash/app/blobs/\(digest)"), timeout: .seconds(30))
            #expect(Array(try await response.body.collect(upTo: 1 << 20).readableBytesView) == bytes)
        }
        let manifestReply = try await http.execute(HTTPClientRequest(url: "\(restarted)/v2/crash/app/manifests/v1"), timeout: .seconds(30))
        #expect(manifestReply.status.code == 200)
        _ = try await manifestReply.body.collect(upTo: 1 << 20)
        server.stop()
        try await http.shutdown()

        let fsck = try await Command.run([binary, "fsck", "--data", data])
        #expect(fsck.succeeded, "fsck: \(fsck.stdout) \(fsck.stderr)")
        #expect(fsck.stdout.contains("0 problems"), "\(fsck.stdout)")
    }
}
