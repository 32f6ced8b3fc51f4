#if canImport(Glibc)
import Glibc
#endif
import DrydockTestSupport
import Foundation
import OCI
import Testing

/// The `drydock` binary's maintenance and database commands: what they print, and one readable
/// line with a non-zero exit on bad input.
@Suite struct CommandLineTests {
    static var advisoryFixtures: String { Fixtures.repositoryRoot + "/Tests/VulnDBTests/Fixtures" }

    @Test func dbBuildInfoAndBadInput() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "cli-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/vulndb.sqlite"

        let build = try await Command.run([binary, "db", "build", "--source", Self.advisoryFixtures, "--out", database])
        #expect(build.succeeded, "\(build.stderr)")
        #expect(build.stdout.contains("wrote \(database)"))
        #expect(build.stderr.contains("importing"), "progress goes to stderr")

        let info = try await Command.run([binary, "db", "info", database, "--output", "json"])
        #expect(info.succeeded, "\(info.stderr)")
        struct Info: Decodable { var schemaVersion: Int; var vulnerabilities: Int; var sources: [Source]; struct Source: Decodable { var name: String } }
        let decoded = try JSONDecoder().decode(Info.self, from: Data(info.stdout.utf8))
        #expect(decoded.schemaVersion == 1)
        #expect(decoded.vulnerabilities > 0)
        #expect(decoded.sources.contains { $0.name == "pypa-advisory-database" })

        // An old database warns (max age 0 hours).
        let stale = try await Command.run([binary, "db", "info", database, "--max-age", "0"])
        #expect(stale.stderr.contains("warning: the database is"))

        let missing = try await Command.run([binary, "db", "build", "--source", dir + "/missing", "--out", dir + "/x.sqlite"])
        #expect(!missing.succeeded)
        #expect(missing.stderr.contains("does not exist"))
        #expect(missing.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)

        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/garbage.sqlite"))
        let garbage = try await Command.run([binary, "db", "info", dir + "/garbage.sqlite"])
        #expect(!garbage.succeeded)
        #expect(garbage.stderr.contains("not a readable vulnerability database"))
    }

    @Test func fsckAndGCOnAStore() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "cli-store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let none = try await Command.run([binary, "fsck", "--data", dir + "/none"])
        #expect(!none.succeeded)
        #expect(none.stderr.contains("no registry data"))

        let server = try DrydockProcess(binary: binary, data: dir + "/data")
        let blob = "orphan blob"
        let digest = "sha256:" + Self.sha256(blob)
        let push = try await Command.run(["curl", "-sf", "-X", "POST", "--data-binary", blob,
                                          "http://127.0.0.1:\(server.port)/v2/app/blobs/uploads/?digest=\(digest)"])
        #expect(push.succeeded)
        _ = server.terminate()

        let fsck = try await Command.run([binary, "fsck", "--data", dir + "/data"])
        #expect(fsck.succeeded, "\(fsck.stdout)")
        #expect(fsck.stdout.contains("checked 1 blobs"))
        let dry = try await Command.run([binary, "gc", "--data", dir + "/data", "--grace", "0"])
        #expect(dry.stdout.contains("would remove blob \(digest)"))
        let apply = try await Command.run([binary, "gc", "--data", dir + "/data", "--grace", "0", "--apply"])
        #expect(apply.stdout.contains("removed blob \(digest)"))
        let after = try await Command.run([binary, "fsck", "--data", dir + "/data"])
        #expect(after.stdout.contains("checked 0 blobs"))
    }

    static func sha256(_ s: String) -> String { Digest.compute(Array(s.utf8)).encoded }
}

/// `drydock db push`, `pull` and `update` as users run them: against a real Drydock, and against
/// the OSV archive layout served over loopback by Python's http.server.
@Suite struct DatabaseCommandTests {
    @Test func pushPullAndUpdateThroughTheBinary() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "cli-db-dist")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/vulndb.sqlite"
        let build = try await Command.run([binary, "db", "build", "--source", CommandLineTests.advisoryFixtures, "--out", database])
        #expect(build.succeeded, "\(build.stderr)")

        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let reference = "\(registry.address)/security/vulndb:latest"
        let push = try await Command.run([binary, "db", "push", database, reference, "--insecure"])
        #expect(push.succeeded, "\(push.stderr)")
        let pulled = dir + "/pulled.sqlite"
        let pull = try await Command.run([binary, "db", "pull", reference, "--insecure", "--out", pulled])
        #expect(pull.succeeded, "\(pull.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: database, andPath: pulled))
        let viaUpdate = dir + "/updated-from-oci.sqlite"
        let update = try await Command.run([binary, "db", "update", "--source", "oci:\(reference)", "--insecure", "--out", viaUpdate])
        #expect(update.succeeded, "\(update.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: database, andPath: viaUpdate))

        // The OSV archive layout, from the Go fixtures (already JSON, as osv.dev serves them).
        let served = dir + "/osv"
        try FileManager.default.createDirectory(atPath: served + "/Go", withIntermediateDirectories: true)
        let goRecords = Fixtures.repositoryRoot + "/Tests/VulnDBTests/Fixtures/go/golang-vulndb/osv"
        let zip = try await Command.run(["python3", "-c", """
            import sys, zipfile, os
            src, out = sys.argv[1], sys.argv[2]
            with zipfile.ZipFile(out, "w") as z:
                for name in sorted(os.listdir(src)):
                    z.write(os.path.join(src, name), name)
            """, goRecords, served + "/Go/all.zip"])
        #expect(zip.succeeded, "\(zip.stderr)")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", served]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = output
        try server.run()
        // SIGKILL: children spawned from the test process inherit its blocked-signal mask, so a
        // SIGTERM would stay pending and the server would outlive the test.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let port = try Self.readPort(from: output)
        let fromOSV = dir + "/from-osv.sqlite"
        let osv = try await Command.run([binary, "db", "update", "--source", "osv:http://127.0.0.1:\(port)", "--ecosystems", "Go", "--out", fromOSV])
        #expect(osv.succeeded, "\(osv.stderr)")
        let info = try await Command.run([binary, "db", "info", fromOSV])
        #expect(info.stdout.contains("osv"), "\(info.stdout)")

        let broken = try await Command.run([binary, "db", "update", "--source", "osv:http://127.0.0.1:\(port)", "--ecosystems", "Nope", "--out", dir + "/never.sqlite"])
        #expect(!broken.succeeded)
        #expect(broken.stderr.contains("404"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/never.sqlite"))
    }

    /// http.server prints "Serving HTTP on 127.0.0.1 port N …" once it listens.
    static func readPort(from pipe: Pipe) throws -> Int {
        var text = ""
        let handle = pipe.fileHandleForReading
        for _ in 0..<100 {
            let data = handle.availableData
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: " port ") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            if data.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        }
        throw TestSupportError("python http.server did not start: \(text)")
    }
}
