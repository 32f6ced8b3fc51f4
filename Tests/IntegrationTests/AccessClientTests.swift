import Access
import DrydockTestSupport
import Foundation
import OCI
import RegistryServer
import Testing

/// Real clients against a registry with access control: skopeo with scoped tokens, podman over
/// TLS with a CA the test creates, and the `drydock` admin commands against `drydock serve`.
@Suite(.serialized) struct AccessClientTests {
    static func skopeo(_ args: [String], home: String? = nil) async throws -> Command.Result {
        let cache = try TemporaryDirectory.make(prefix: "skopeo-cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        return try await Command.run(["skopeo"] + args, environment: ["XDG_RUNTIME_DIR": cache, "HOME": home ?? cache])
    }

    @Test func skopeoLogsInWithAScopedTokenAndAPullOnlyTokenCannotPush() async throws {
        let layout = try await Fixtures.debianLayout
        let registry = try await TestRegistry.start(access: true)
        defer { Task { await registry.stop() } }
        let access = try #require(registry.access)
        let (_, pushPassword) = try await access.createToken(name: "ci-push", scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull, .push])]), expiresAt: nil)
        let (_, pullPassword) = try await access.createToken(name: "ci-pull", scopes: ScopeMap([ScopeRule(repository: "team/*", actions: [.pull])]), expiresAt: nil)
        let auth = try TemporaryDirectory.make(prefix: "authfile")
        defer { try? FileManager.default.removeItem(atPath: auth) }

        let wrong = try await Self.skopeo(["login", "--tls-verify=false", "--authfile", auth + "/a.json", "-u", "ci-push", "-p", "nope", registry.address])
        #expect(!wrong.succeeded)
        let login = try await Self.skopeo(["login", "--tls-verify=false", "--authfile", auth + "/a.json", "-u", "ci-push", "-p", pushPassword, registry.address])
        #expect(login.succeeded, "\(login.stderr)")
        let push = try await Self.skopeo(["copy", "--dest-tls-verify=false", "--authfile", auth + "/a.json",
                                          "oci:\(layout):latest", "docker://\(registry.address)/team/debian:v1"])
        #expect(push.succeeded, "\(push.stderr)")

        let pullLogin = try await Self.skopeo(["login", "--tls-verify=false", "--authfile", auth + "/b.json", "-u", "ci-pull", "-p", pullPassword, registry.address])
        #expect(pullLogin.succeeded, "\(pullLogin.stderr)")
        let back = try TemporaryDirectory.make(prefix: "pulled")
        defer { try? FileManager.default.removeItem(atPath: back) }
        let pull = try await Self.skopeo(["copy", "--src-tls-verify=false", "--authfile", auth + "/b.json",
                                          "docker://\(registry.address)/team/debian:v1", "oci:\(back):v1"])
        #expect(pull.succeeded, "\(pull.stderr)")
        let refused = try await Self.skopeo(["copy", "--dest-tls-verify=false", "--authfile", auth + "/b.json",
                                             "oci:\(layout):latest", "docker://\(registry.address)/team/debian:v2"])
        #expect(!refused.succeeded)
        #expect(refused.stderr.contains("ci-pull") && refused.stderr.contains("may not push"), "skopeo says why: \(refused.stderr)")
        // Outside its scope the push token is refused too.
        let outside = try await Self.skopeo(["copy", "--dest-tls-verify=false", "--authfile", auth + "/a.json",
                                             "oci:\(layout):latest", "docker://\(registry.address)/elsewhere/debian:v1"])
        #expect(!outside.succeeded)

        let rows = try await access.queryLogs(ResourceLogQuery(table: .repositoryEvents))
        #expect(rows.contains { $0.operation == "Push" && $0.identity == "ci-push" && $0.repository == "team/debian" && $0.tag == "v1" && $0.result == "Success" })
        #expect(rows.contains { $0.operation == "Pull" && $0.identity == "ci-pull" && $0.result == "Success" })
        let logins = try await access.queryLogs(ResourceLogQuery(table: .loginEvents))
        #expect(logins.contains { $0.identity == "ci-push" && $0.result == "Failure" })
        await registry.stop()
    }

    @Test(.enabled(if: PodmanTests.podmanWorks, "podman info fails on this machine")) func podmanOverTLSWithTheTestCA() async throws {
        let layout = try await Fixtures.debianLayout
        let dir = try TemporaryDirectory.make(prefix: "podman-tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await ServeProcessTests.makeCertificates(in: dir)
        let certs = dir + "/certs"
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/ca.crt", toPath: certs + "/ca.crt")
        let registry = try await TestRegistry.start(access: true) { configuration in
            configuration.tls = .init(certificate: dir + "/server.crt", key: dir + "/server.key")
        }
        defer { Task { await registry.stop() } }
        let access = try #require(registry.access)
        let (_, password) = try await access.createToken(name: "podman", scopes: ScopeMap([ScopeRule(repository: "secure/*", actions: [.pull, .push])]), expiresAt: nil)
        let image = "\(registry.address)/secure/debian:v1"
        let source = "/tmp/drydock-podman-\(UUID().uuidString.lowercased().prefix(8))/debian"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: source)
        try FileManager.default.copyItem(atPath: layout, toPath: source)
        defer { try? FileManager.default.removeItem(atPath: (source as NSString).deletingLastPathComponent) }
        let authfile = dir + "/auth.json"

        let login = try await Command.run(["podman", "login", "--cert-dir", certs, "--authfile", authfile, "-u", "podman", "-p", password, registry.address])
        #expect(login.succeeded, "\(login.stderr)")
        let copy = try await Command.run(["podman", "pull", "oci:\(source):latest"])
        #expect(copy.succeeded, "\(copy.stderr)")
        let id = copy.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        #expect(try await Command.run(["podman", "tag", id, image]).succeeded)
        let push = try await Command.run(["podman", "push", "--cert-dir", certs, "--authfile", authfile, image])
        #expect(push.succeeded, "\(push.stderr)")
        _ = try await Command.run(["podman", "rmi", "-f", image])
        let pull = try await Command.run(["podman", "pull", "--cert-dir", certs, "--authfile", authfile, image])
        #expect(pull.succeeded, "\(pull.stderr)")
        // Without the CA podman refuses the certificate: verification is really on.
        let unverified = try await Command.run(["podman", "pull", "--authfile", authfile, image])
        #expect(!unverified.succeeded)
        _ = try? await Command.run(["podman", "rmi", "-f", image, id])
        await registry.stop()
    }

    /// `drydock serve` has access control on by default; the admin commands drive it.
    @Test func serveHasAuthOnByDefaultAndTheAdminCommandsWork() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "serve-auth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try DrydockProcess(binary: binary, data: dir + "/data", auth: true,
                                        environment: ["DRYDOCK_ADMIN_PASSWORD": "admin-secret-1"])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)"
        func curl(_ args: [String]) async throws -> String {
            try await Command.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"] + args).stdout
        }
        #expect(try await curl([url + "/v2/"]) == "401")
        #expect(try await curl(["-u", "admin:admin-secret-1", url + "/v2/"]) == "200")
        let env = ["DRYDOCK_SERVER": url, "DRYDOCK_USERNAME": "admin", "DRYDOCK_PASSWORD": "admin-secret-1"]
        func drydock(_ args: [String]) async throws -> Command.Result { try await Command.run([binary] + args, environment: env) }

        let created = try await drydock(["token", "create", "ci", "--scope", "app/*=pull,push", "--expires-in-days", "30"])
        #expect(created.succeeded, "\(created.stderr)")
        let password = try #require(created.stdout.components(separatedBy: "(shown once): ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try await curl(["-u", "ci:\(password)", url + "/v2/app/x/tags/list"]) == "404")
        #expect(try await curl(["-u", "ci:\(password)", url + "/v2/other/tags/list"]) == "403")
        let list = try await drydock(["token", "list"])
        #expect(list.stdout.contains("ci\ttrue") && list.stdout.contains("app/*=pull,push"), "\(list.stdout)")
        #expect(try await drydock(["token", "disable", "ci"]).succeeded)
        #expect(try await curl(["-u", "ci:\(password)", url + "/v2/"]) == "401")

        #expect(try await drydock(["user", "create", "alice", "--user-password", "alice-password"]).succeeded)
        #expect(try await drydock(["user", "list"]).stdout.contains("alice\tuser"))
        #expect(try await drydock(["user", "delete", "alice"]).succeeded)
        // A user limited to app/* with pull; widened to push by `user update`.
        let limited = try await drydock(["user", "create", "bob", "--user-password", "bob-password", "--scope", "app/*=pull"])
        #expect(limited.succeeded, "\(limited.stderr)")
        #expect(try await curl(["-u", "bob:bob-password", url + "/v2/app/x/tags/list"]) == "404")
        #expect(try await curl(["-u", "bob:bob-password", "-X", "POST", url + "/v2/app/x/blobs/uploads/"]) == "403")
        #expect(try await curl(["-u", "bob:bob-password", url + "/v2/other/tags/list"]) == "403")
        let widened = try await drydock(["user", "update", "bob", "--scope", "app/*=pull,push"])
        #expect(widened.succeeded && widened.stdout.contains("app/*=pull,push"), "\(widened.stdout)\(widened.stderr)")
        #expect(try await curl(["-u", "bob:bob-password", "-X", "POST", url + "/v2/app/x/blobs/uploads/"]) == "202")
        #expect(try await drydock(["user", "list"]).stdout.contains("bob\tuser\ttrue\tapp/*=pull,push"))

        let set = try await drydock(["network", "set", "--default-action", "deny"])
        #expect(set.succeeded && set.stdout.contains("default action:    deny"), "\(set.stdout)\(set.stderr)")
        #expect(try await curl(["-u", "admin:admin-secret-1", url + "/v2/"]) == "403")
        // The admin is refused too now; re-open from the allowed source address.
        let add = try await Command.run([binary, "network", "rule", "add", "127.0.0.0/8", "--server", url, "--password", "admin-secret-1"])
        #expect(add.status != 0, "refused by the IP rules it is trying to change")
        #expect(add.stderr.contains("DENIED"), "\(add.stderr)")
        server.stop()

        // Settings survive a restart; the private endpoint ignores the IP rules, so the admin
        // re-opens the registry through it.
        let again = try DrydockProcess(binary: binary, data: dir + "/data", extraArguments: ["--private-endpoint", "127.0.0.2:0"], auth: true)
        defer { again.stop() }
        #expect(try await curl(["-u", "admin:admin-secret-1", "http://127.0.0.1:\(again.port)/v2/"]) == "403", "the password and the deny rule persisted")
        var privatePort: Int?
        for _ in 0..<100 where privatePort == nil {
            if let text = try? String(contentsOfFile: again.log, encoding: .utf8), let range = text.range(of: "://127.0.0.2:") {
                privatePort = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let privateURL = "http://127.0.0.2:\(try #require(privatePort))"
        let reopen = try await Command.run([binary, "network", "set", "--default-action", "allow", "--server", privateURL, "--password", "admin-secret-1"])
        #expect(reopen.succeeded, "\(reopen.stderr)")
        #expect(try await curl(["-u", "admin:admin-secret-1", "http://127.0.0.1:\(again.port)/v2/"]) == "200")
    }

    @Test func cliRefusesBadInputWithOneLine() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "serve-auth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try DrydockProcess(binary: binary, data: dir + "/data", auth: true, environment: ["DRYDOCK_ADMIN_PASSWORD": "admin-secret-1"])
        defer { server.stop() }
        let env = ["DRYDOCK_SERVER": "http://127.0.0.1:\(server.port)", "DRYDOCK_PASSWORD": "admin-secret-1"]
        for args in [["network", "rule", "add", "garbage"], ["network", "set", "--public-access", "maybe"], ["token", "create", "x"],
                     ["logs", "query", "--table", "Nope"], ["token", "disable", "nobody"], ["logs", "query", "--since", "yesterday"],
                     ["user", "update", "nobody", "--scope", "x=pull"], ["user", "update", "nobody"],
                     ["user", "create", "eve", "--user-password", "eve-password", "--scope", "x=fly"]] {
            let result = try await Command.run([binary] + args, environment: env)
            #expect(result.status != 0, "\(args)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(args): \(result.stderr)")
        }
        let wrong = try await Command.run([binary, "network", "show"], environment: ["DRYDOCK_SERVER": "http://127.0.0.1:\(server.port)", "DRYDOCK_PASSWORD": "x"])
        #expect(wrong.status != 0 && wrong.stderr.contains("UNAUTHORIZED"), "\(wrong.stderr)")
        let logs = try await Command.run([binary, "logs", "query", "--table", "RegistryLoginEvents", "--output", "json"], environment: env)
        #expect(logs.succeeded)
        #expect(logs.stdout.contains("\"ResultType\" : \"Failure\""), "\(logs.stdout)")
        let show = try await Command.run([binary, "network", "show"], environment: env)
        #expect(show.stdout.contains("trusted services:  on"))
    }
}
