#if canImport(Glibc)
import Glibc
#endif
import DrydockTestSupport
import Foundation
import OCI
import RegistryClient
import Testing

/// The large-blob path of the real `drydock serve`: downloads through `sendfile` (ranges, TLS,
/// gc at the same time, clients that hang up) and uploads resumed across a restart.
@Suite(.serialized) struct LargeBlobTests {
    /// Random bytes (random enough that a wrong offset cannot compare equal).
    static func randomBlob(_ size: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in words.indices { words[i] = generator.next() }
        }
        return bytes
    }

    static func plainClient(_ port: Int) throws -> RegistryClient {
        var options = RegistryClient.Options()
        options.plainHTTP = true
        return try RegistryClient(registry: "127.0.0.1:\(port)", options: options)
    }

    /// The ranges a client asks for, on both sides of the sendfile threshold.
    static func checkRanges(of blob: [UInt8], get: (String?) async throws -> (status: Int, body: [UInt8])) async throws {
        let n = blob.count
        let whole = try await get(nil)
        #expect(whole.status == 200)
        #expect(whole.body == blob, "whole blob differs")
        let cases: [(String, ClosedRange<Int>)] = [
            ("bytes=0-0", 0...0),                                   // first byte
            ("bytes=\(n - 1)-\(n - 1)", (n - 1)...(n - 1)),         // last byte
            ("bytes=1000003-3500002", 1_000_003...3_500_002),       // middle, 2.5 MB: sendfile
            ("bytes=17-4112", 17...4112),                           // middle, small: copied
            ("bytes=-1500000", (n - 1_500_000)...(n - 1)),          // suffix
            ("bytes=\(n - 10)-", (n - 10)...(n - 1)),               // open end
        ]
        for (header, range) in cases {
            let reply = try await get(header)
            #expect(reply.status == 206, "\(header)")
            #expect(reply.body == Array(blob[range]), "\(header): \(reply.body.count) bytes")
        }
        #expect(try await get("bytes=\(n)-").status == 416)
        #expect(try await get("bytes=\(n + 5)-\(n + 9)").status == 416)
    }

    @Test func rangesOnThePlainAndTheTLSPathAreByteExact() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "ranges")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let blob = Self.randomBlob(6 << 20)
        let repo = try RepositoryName("big/app")

        let plain = try DrydockProcess(binary: binary, data: dir + "/plain")
        defer { plain.stop() }
        let client = try Self.plainClient(plain.port)
        let digest = try await client.uploadBlob(repo, bytes: blob)
        await client.shutdown()
        let http = RawHTTP("http://127.0.0.1:\(plain.port)")
        try await Self.checkRanges(of: blob) { range in
            let reply = try await http.send(.GET, "/v2/big/app/blobs/\(digest)", headers: range.map { [("Range", $0)] } ?? [])
            return (Int(reply.status), reply.body)
        }

        try await ServeProcessTests.makeCertificates(in: dir)
        let tls = try DrydockProcess(binary: binary, data: dir + "/tls",
                                     extraArguments: ["--tls-cert", dir + "/server.crt", "--tls-key", dir + "/server.key"])
        defer { tls.stop() }
        var options = RegistryClient.Options()
        options.caFile = dir + "/ca.crt"
        let tlsClient = try RegistryClient(registry: "127.0.0.1:\(tls.port)", options: options)
        #expect(try await tlsClient.uploadBlob(repo, bytes: blob) == digest)
        await tlsClient.shutdown()
        let out = dir + "/out"
        try await Self.checkRanges(of: blob) { range in
            try? FileManager.default.removeItem(atPath: out)
            let result = try await Command.run(["curl", "-sS", "--cacert", dir + "/ca.crt", "-o", out, "-w", "%{http_code}"]
                                               + (range.map { ["-H", "Range: \($0)"] } ?? [])
                                               + ["https://127.0.0.1:\(tls.port)/v2/big/app/blobs/\(digest)"])
            let body = FileManager.default.contents(atPath: out).map { Array($0) } ?? []
            return (Int(result.stdout) ?? 0, body)
        }
    }

    /// Downloads of a tagged image's layer while `drydock gc --apply` runs beside the server
    /// are always whole and right; a loose blob gc deletes mid-download is either served whole
    /// (the open file outlives the unlink) or answered 404, never cut short or mixed.
    @Test func downloadsWhileGcRuns() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "gc-read")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try DrydockProcess(binary: binary, data: dir + "/data")
        defer { server.stop() }
        let http = RawHTTP("http://127.0.0.1:\(server.port)")
        let layer = Self.randomBlob(24 << 20)
        try await http.pushImage("gc/app", tag: "v1", layer: layer)
        let layerDigest = Digest.compute(layer)
        let loose = Self.randomBlob(24 << 20)
        let looseDigest = try await http.pushBlob("gc/app", loose)

        let gc = Task {
            try await Command.run([binary, "gc", "--data", dir + "/data", "--grace", "0", "--apply"])
        }
        for round in 0..<12 {
            async let kept = http.send(.GET, "/v2/gc/app/blobs/\(layerDigest)")
            async let maybe = http.send(.GET, "/v2/gc/app/blobs/\(looseDigest)")
            let (k, m) = try await (kept, maybe)
            #expect(k.status == 200 && k.body == layer, "round \(round): tagged layer \(k.status), \(k.body.count) bytes")
            if m.status != 404 {
                #expect(m.status == 200 && m.body == loose, "round \(round): loose blob \(m.status), \(m.body.count) bytes")
            }
        }
        let result = try await gc.value
        #expect(result.succeeded, "\(result.stderr)")
        // After gc the loose blob is gone and the tagged layer is still there.
        #expect(try await http.send(.GET, "/v2/gc/app/blobs/\(looseDigest)").status == 404)
        #expect(try await http.send(.GET, "/v2/gc/app/blobs/\(layerDigest)").body == layer)
    }

    /// 1,000 downloads of a 32 MiB blob that the client abandons after the first bytes: the
    /// server's descriptors and memory come back to where they were.
    @Test func abortedDownloadsFreeTheirResources() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "aborts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try DrydockProcess(binary: binary, data: dir + "/data")
        defer { server.stop() }
        let blob = Self.randomBlob(32 << 20)
        let http = RawHTTP("http://127.0.0.1:\(server.port)")
        let digest = try await http.pushBlob("abort/app", blob)
        let pid = server.process.processIdentifier
        // Warm up both download paths before taking the baseline.
        for _ in 0..<3 { #expect(try await http.send(.GET, "/v2/abort/app/blobs/\(digest)").body == blob) }
        try await Task.sleep(for: .milliseconds(300))
        let baseFDs = try Self.openDescriptors(pid)
        let baseRSS = try Self.residentBytes(pid)

        let port = server.port
        let request = Array("GET /v2/abort/app/blobs/\(digest) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<125 { try Self.abortedDownload(port: port, request: request, readBytes: (worker * 125 + i) % 3 == 0 ? 0 : 65536) }
                }
            }
            try await group.waitForAll()
        }
        // The server notices each hang-up on its next write; give it a moment.
        var fds = Int.max
        for _ in 0..<50 {
            fds = try Self.openDescriptors(pid)
            if fds <= baseFDs + 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(fds <= baseFDs + 2, "descriptors: \(baseFDs) before, \(fds) after")
        let rss = try Self.residentBytes(pid)
        #expect(rss < baseRSS + 48 << 20, "resident memory: \(baseRSS >> 20) MiB before, \(rss >> 20) MiB after")
        // And it still serves the blob whole.
        #expect(try await http.send(.GET, "/v2/abort/app/blobs/\(digest)").body == blob)
    }

    /// Connects, asks for the blob, reads `readBytes` of the answer and hangs up.
    static func abortedDownload(port: Int, request: [UInt8], readBytes: Int) throws {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        try sendAll(fd, request)
        var buffer = [UInt8](repeating: 0, count: 16384)
        var got = 0
        while got < readBytes {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            got += n
        }
    }

    static func openDescriptors(_ pid: Int32) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    static func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw TestSupportError("no VmRSS in /proc/\(pid)/status")
        }
        return kib << 10
    }

    /// A chunk cut off by the client, the server stopped, started again on the same data: the
    /// session says how much it holds, the rest is appended, and the digest is verified over
    /// bytes from both lives of the process (a wrong one is still refused).
    @Test func uploadResumesAcrossARestart() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let blob = Self.randomBlob(20 << 20)
        let digest = Digest.compute(blob)

        var server = try DrydockProcess(binary: binary, data: dir + "/data")
        var http = RawHTTP("http://127.0.0.1:\(server.port)")
        let location = try #require(try await http.send(.POST, "/v2/resume/app/blobs/uploads/").header("Location"))
        let other = try #require(try await http.send(.POST, "/v2/resume/app/blobs/uploads/").header("Location"))
        #expect(try await http.send(.PATCH, location, headers: [("Content-Range", "0-\((4 << 20) - 1)")],
                                    body: Array(blob[0..<(4 << 20)])).status == 202)
        // Promise 8 MiB, send 3 and hang up.
        try Self.cutChunk(port: server.port, path: location, start: 4 << 20, promised: 8 << 20, bytes: Array(blob[(4 << 20)..<(7 << 20)]))
        #expect(try await http.send(.PATCH, other, body: Array(blob[0..<(1 << 20)])).status == 202)
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.terminate() == 0)

        server = try DrydockProcess(binary: binary, data: dir + "/data")
        defer { server.stop() }
        http = RawHTTP("http://127.0.0.1:\(server.port)")
        let status = try await http.send(.GET, location)
        #expect(status.status == 204)
        let range = try #require(status.header("Range"))
        let held = try #require(Int(range.split(separator: "-").last ?? "")).advanced(by: 1)
        #expect(held >= 4 << 20 && held <= 7 << 20, "session holds \(held) bytes")
        let rest = try await http.send(.PATCH, location, headers: [("Content-Range", "\(held)-\(blob.count - 1)")], body: Array(blob[held...]))
        #expect(rest.status == 202)
        let done = try await http.send(.PUT, location + "?digest=\(digest)")
        #expect(done.status == 201, "\(done.text)")
        #expect(try await http.send(.GET, "/v2/resume/app/blobs/\(digest)").body == blob)

        // The other session, resumed the same way, claiming a digest its bytes do not have.
        let wrong = try await http.send(.PUT, other + "?digest=\(digest)", body: Array(blob[(1 << 20)..<(2 << 20)]))
        #expect(wrong.status == 400)
        #expect(wrong.errorCode == "DIGEST_INVALID")
    }

    /// Sends a PATCH that promises `promised` bytes from `start`, writes only `bytes`, and closes.
    static func cutChunk(port: Int, path: String, start: Int, promised: Int, bytes: [UInt8]) throws {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        let head = "PATCH \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Range: \(start)-\(start + promised - 1)\r\nContent-Length: \(promised)\r\n\r\n"
        try sendAll(fd, Array(head.utf8))
        try sendAll(fd, bytes)
    }

    /// A TCP connection to 127.0.0.1:`port` on a plain socket: these tests hang up mid-message,
    /// which an HTTP client library does not let them do.
    static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestSupportError("connect: \(errno)")
        }
        return fd
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestSupportError("send: \(errno)") }
            sent += n
        }
    }
}
