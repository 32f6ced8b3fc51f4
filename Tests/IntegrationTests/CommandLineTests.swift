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
