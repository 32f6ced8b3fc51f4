import DrydockTestSupport
import Foundation
import OCI
import Testing

/// The data directory on a small tmpfs that fills up during pushes: blob uploads and then the
/// metadata database run out of space. Each failure is an OCI error, nothing half-written is
/// visible, what was stored before stays readable, pushes work again once space is freed, and
/// `drydock fsck` finds nothing wrong.
@Suite struct FullDiskTests {
    /// Mounting needs root (or the capability); elsewhere the test is skipped with the reason.
    static let canMount: Bool = {
        guard let dir = try? TemporaryDirectory.make(prefix: "tmpfs-probe") else { return false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard (try? Command.runBlocking(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], environment: [:], directory: nil))?.succeeded == true else {
            return false
        }
        _ = try? Command.runBlocking(["umount", dir], environment: [:], directory: nil)
        return true
    }()

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count / 8).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
    }

    @Test(.enabled(if: canMount, "mounting a tmpfs needs root"))
    func aFullDiskIsAnOCIErrorNothingIsHalfWrittenAndFreeingSpaceHeals() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "full-disk")
        let data = dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        #expect(try await Command.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", data]).succeeded)
        defer {
            _ = try? Command.runBlocking(["umount", "-l", data], environment: [:], directory: nil)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let server = try DrydockProcess(binary: binary, data: data, extraArguments: ["--defender", "disabled"])
        defer { server.stop() }
        let http = RawHTTP("http://127.0.0.1:\(server.port)")
        let before = try await http.pushImage("app/kept", tag: "1", layer: Self.random(1 << 20))

        // Blobs of 6 MiB until the disk refuses one.
        var stored: [(Digest, [UInt8])] = []
        var refused: (digest: Digest, reply: RawHTTP.Reply)?
        for _ in 0..<12 {
            let blob = Self.random(6 << 20)
            let digest = Digest.compute(blob)
            let reply = try await http.send(.POST, "/v2/app/fill/blobs/uploads/?digest=\(digest)", body: blob)
            if reply.status == 201 { stored.append((digest, blob)) } else { refused = (digest, reply); break }
        }
        let full = try #require(refused, "the 40 MiB disk never filled")
        #expect(full.reply.status >= 400 && full.reply.errorCode != nil, "an OCI error: \(full.reply.status) \(full.reply.text)")
        #expect(try await http.send(.HEAD, "/v2/app/fill/blobs/\(full.digest)").status == 404, "the refused blob is not there, not even in part")
        for (digest, blob) in stored {
            let reply = try await http.send(.GET, "/v2/app/fill/blobs/\(digest)")
            #expect(reply.status == 200 && Digest.compute(reply.body) == digest && reply.body.count == blob.count)
        }
        #expect(try await http.send(.GET, "/v2/app/kept/manifests/1").body == before.bytes)

        // Now the last bytes too: the metadata database cannot grow, and a manifest push fails
        // cleanly.
        let filler = data + "/filler"
        _ = try await Command.run(["dd", "if=/dev/zero", "of=\(filler)", "bs=64k"])
        let late = try? await http.pushImage("app/late", tag: "1", layer: Array("small layer".utf8))
        #expect(late == nil, "a push onto a full disk fails")
        let lateManifest = try await http.send(.GET, "/v2/app/late/manifests/1")
        #expect(lateManifest.status == 404, "no half-written manifest: \(lateManifest.status)")
        #expect(try await http.send(.GET, "/v2/app/kept/manifests/1").status == 200)

        // Space freed: pushes work again, the same server, no restart.
        try FileManager.default.removeItem(atPath: filler)
        let again = try await http.pushImage("app/late", tag: "1", layer: Array("small layer".utf8))
        #expect(try await http.send(.GET, "/v2/app/late/manifests/1").body == again.bytes)
        let retried = try await http.send(.POST, "/v2/app/fill/blobs/uploads/?digest=\(full.digest)", body: Self.random(16))
        #expect(retried.status == 400, "a body that does not match its digest is still refused: \(retried.status)")

        server.stop()
        let fsck = try await Command.run([binary, "fsck", "--data", data])
        #expect(fsck.succeeded && fsck.stdout.contains("0 problems"), "\(fsck.stdout)\(fsck.stderr)")
    }
}
