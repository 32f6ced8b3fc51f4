#if canImport(Glibc)
import Glibc
#endif
import DrydockTestSupport
import Foundation
import Testing

/// The defender as a user meets it: `drydock serve` (the real binary, access control on),
/// skopeo pushing a real image, the `drydock findings|defender|logs` commands reading the
/// result, and `drydock scan` of the same image as the reference.
@Suite(.enabled(if: AnalysisImages.available, "building the test images needs root"))
struct DefenderEndToEndTests {
    static let password = "defender-e2e-password"
    static var advisories: String { Fixtures.repositoryRoot + "/Tests/MatchingTests/Fixtures/advisories" }

    struct Server {
        let process: DrydockProcess
        let binary: String
        var address: String { "127.0.0.1:\(process.port)" }
        var environment: [String: String] {
            ["DRYDOCK_SERVER": "http://\(address)", "DRYDOCK_PASSWORD": DefenderEndToEndTests.password]
        }

        func drydock(_ arguments: [String]) async throws -> Command.Result {
            try await Command.run([binary] + arguments, environment: environment)
        }

        func json(_ arguments: [String]) async throws -> [String: Any] {
            let result = try await drydock(arguments + ["--output", "json"])
            guard result.succeeded, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
                throw TestSupportError("drydock \(arguments.joined(separator: " ")): \(result.stderr)")
            }
            return object
        }

        func waitForScan(_ image: String, timeout: Double = 120) async throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                if let view = try? await json(["findings", "show", image]) {
                    last = "\(view["scanStatus"] ?? "") \(view["statusMessage"] ?? "")"
                    if view["scanStatus"] as? String == "completed" { return view }
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw TestSupportError("\(image) was not scanned within \(timeout) s: \(last)")
        }
    }

    static func start(_ binary: String, data: String) throws -> Server {
        let process = try DrydockProcess(binary: binary, data: data, extraArguments: ["--vuln-db", data + "/../vuln.db"], auth: true,
                                         environment: ["DRYDOCK_ADMIN_PASSWORD": password])
        return Server(process: process, binary: binary)
    }

    static func skopeoPush(_ layout: String, to target: String) async throws -> Command.Result {
        let cache = try TemporaryDirectory.make(prefix: "skopeo-cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        return try await Command.run(["skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:\(password)",
                                      "oci:\(layout)", "docker://\(target)"], environment: ["XDG_RUNTIME_DIR": cache, "HOME": cache])
    }

    @Test func aPushedImageIsScannedLikeDrydockScanSaysAndTheDefenderIsLogged() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        let dir = try TemporaryDirectory.make(prefix: "defender-e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let built = try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/vuln.db"])
        #expect(built.succeeded, "\(built.stderr)")
        let server = try Self.start(binary, data: dir + "/data")
        defer { server.process.stop() }

        let push = try await Self.skopeoPush(layout, to: "\(server.address)/library/debian-multi:1")
        #expect(push.succeeded, "\(push.stderr)")
        let view = try await server.waitForScan("library/debian-multi:1")

        let scan = try await Command.run([binary, "scan", "oci:\(layout)", "--db", dir + "/vuln.db", "--format", "json"],
                                         environment: ["DRYDOCK_CACHE": dir + "/cache"])
        #expect(scan.succeeded, "\(scan.stderr)")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let reports = reference["results"] as? [[String: Any]] ?? [reference]
        let expectedFindings = Set(reports.flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }.map(Self.findingKey))
        let expectedRemediations = Set(reports.flatMap { ($0["remediations"] as? [[String: Any]]) ?? [] }.map(Self.remediationKey))
        #expect(!expectedFindings.isEmpty)
        #expect(Set((view["findings"] as? [[String: Any]] ?? []).map(Self.findingKey)) == expectedFindings)
        #expect(Set((view["remediations"] as? [[String: Any]] ?? []).map(Self.remediationKey)) == expectedRemediations)

        // The defender's login and pulls, in the resource logs next to the admin's push.
        let logins = try await server.drydock(["logs", "query", "--table", "RegistryLoginEvents", "--identity", "defender", "--output", "json"])
        #expect(logins.succeeded && logins.stdout.contains("\"Identity\" : \"defender\""), "\(logins.stdout)\(logins.stderr)")
        let pulls = try await server.drydock(["logs", "query", "--identity", "defender", "--operation", "Pull", "--output", "json"])
        #expect(pulls.stdout.contains("library/debian-multi"), "\(pulls.stdout)")

        // The other views.
        let list = try await server.json(["findings", "list"])
        let rows = list["images"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["repository"] as? String == "library/debian-multi")
        let someID = try #require((view["findings"] as? [[String: Any]])?.first?["vulnerabilityID"] as? String)
        let affected = try await server.json(["findings", "affected", someID])
        #expect((affected["images"] as? [[String: Any]])?.first?["repository"] as? String == "library/debian-multi")
        let status = try await server.json(["defender", "status"])
        #expect((status["images"] as? [String: Any])?["total"] as? Int == 1)
        #expect((status["database"] as? [String: Any])?["loaded"] as? Bool == true)
        let table = try await server.drydock(["findings", "show", "library/debian-multi:1"])
        #expect(table.succeeded && table.stdout.contains("remediations:"), "\(table.stdout)\(table.stderr)")
        let bad = try await server.drydock(["findings", "show", "library/none:1"])
        #expect(!bad.succeeded && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("knows no image"))
    }

    @Test func killedMidScanTheJobCompletesAfterARestart() async throws {
        let binary = try await Fixtures.drydockBinary
        let layout = try await AnalysisImages.path("oci", "debian-multi")
        let dir = try TemporaryDirectory.make(prefix: "defender-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Command.run([binary, "db", "build", "--source", Self.advisories, "--out", dir + "/vuln.db"]).succeeded)
        var server = try Self.start(binary, data: dir + "/data")
        let push = try await Self.skopeoPush(layout, to: "\(server.address)/crash/app:1")
        #expect(push.succeeded, "\(push.stderr)")
        // The manifest is stored and the job queued (or already running): kill the server hard.
        server.process.kill9()
        #expect(FileManager.default.fileExists(atPath: dir + "/data/defender.sqlite"))

        server = try Self.start(binary, data: dir + "/data")
        defer { server.process.stop() }
        let view = try await server.waitForScan("crash/app:1")
        #expect(!(view["findings"] as? [Any] ?? []).isEmpty)
        let jobs = try await server.json(["defender", "jobs"])
        #expect((jobs["jobs"] as? [Any])?.isEmpty == true, "nothing left in the queue")
    }

    static func findingKey(_ finding: [String: Any]) -> String {
        let package = finding["package"] as? [String: Any] ?? [:]
        return "\(finding["vulnerabilityID"] ?? "")|\(package["name"] ?? "")|\(package["version"] ?? "")|\(package["location"] ?? "")|\(finding["fixedVersion"] ?? "")"
    }

    static func remediationKey(_ remediation: [String: Any]) -> String {
        let package = remediation["package"] as? [String: Any] ?? [:]
        return "\(package["name"] ?? "")|\(package["location"] ?? "")|\(remediation["action"] ?? "")|\((remediation["fixes"] as? [String] ?? []).joined(separator: ","))"
    }
}
