import DrydockTestSupport
import Foundation
import Testing

/// Secrets never reach the logs, and credentials stop working the moment they are disabled or
/// deleted: `drydock serve` at log level trace, driven through every place a secret passes —
/// admin and user logins (right and wrong), tokens (made, used as Basic and for a bearer token,
/// disabled, deleted), the dashboard's sign-in, a webhook's secret, an enrolled registry's
/// password — and then every line it wrote is searched for each secret.
@Suite struct SecretsTests {
    @Test func secretsAreNeverLoggedAndRevokedCredentialsStopAtOnce() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "secrets")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let admin = "admin-secret-for-the-log-test"
        let server = try DrydockProcess(binary: binary, data: dir + "/data", auth: true,
                                        environment: ["DRYDOCK_ADMIN_PASSWORD": admin, "DRYDOCK_LOG_LEVEL": "trace"])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)"
        let env = ["DRYDOCK_SERVER": url, "DRYDOCK_USERNAME": "admin", "DRYDOCK_PASSWORD": admin]
        func drydock(_ args: [String], input: String? = nil) async throws -> Command.Result {
            try await Command.run([binary] + args, environment: env)
        }
        func status(_ args: [String]) async throws -> String {
            try await Command.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"] + args).stdout
        }
        func bearer(_ user: String, _ password: String) async throws -> String? {
            let answer = try await Command.run(["curl", "-s", "-u", "\(user):\(password)",
                                                "\(url)/token?service=drydock&scope=repository:app/x:pull"]).stdout
            return (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])?["token"] as? String
        }

        var secrets = [admin]
        // Logins, right and wrong.
        #expect(try await status(["-u", "admin:\(admin)", url + "/v2/"]) == "200")
        let wrong = "wrong-password-that-must-not-be-logged"
        secrets.append(wrong)
        #expect(try await status(["-u", "admin:\(wrong)", url + "/v2/"]) == "401")
        let userPassword = "user-password-for-the-log-test"
        secrets.append(userPassword)
        #expect(try await drydock(["user", "create", "carol", "--user-password", userPassword, "--scope", "app/*=pull"]).succeeded)
        #expect(try await status(["-u", "carol:\(userPassword)", url + "/v2/app/x/tags/list"]) == "404")

        // A token: used as Basic credentials and exchanged for a bearer token.
        let created = try await drydock(["token", "create", "ci", "--scope", "app/*=pull"])
        let tokenPassword = try #require(created.stdout.components(separatedBy: "(shown once): ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        secrets.append(tokenPassword)
        #expect(try await status(["-u", "ci:\(tokenPassword)", url + "/v2/app/x/tags/list"]) == "404")
        let issued = try #require(try await bearer("ci", tokenPassword))
        secrets.append(issued)
        #expect(try await status(["-H", "Authorization: Bearer \(issued)", url + "/v2/app/x/tags/list"]) == "404")
        // Disabled: the password and the bearer token issued before both stop at once.
        #expect(try await drydock(["token", "disable", "ci"]).succeeded)
        #expect(try await status(["-u", "ci:\(tokenPassword)", url + "/v2/app/x/tags/list"]) == "401")
        #expect(try await status(["-H", "Authorization: Bearer \(issued)", url + "/v2/app/x/tags/list"]) == "401")
        // A user's bearer token stops when the user is deleted.
        let userBearer = try #require(try await bearer("carol", userPassword))
        secrets.append(userBearer)
        #expect(try await status(["-H", "Authorization: Bearer \(userBearer)", url + "/v2/app/x/tags/list"]) == "404")
        #expect(try await drydock(["user", "delete", "carol"]).succeeded)
        #expect(try await status(["-H", "Authorization: Bearer \(userBearer)", url + "/v2/app/x/tags/list"]) == "401")
        #expect(try await status(["-u", "carol:\(userPassword)", url + "/v2/"]) == "401")

        // The dashboard's sign-in, wrong then right.
        let dashboardWrong = "dashboard-wrong-password-xyz"
        secrets.append(dashboardWrong)
        for password in [dashboardWrong, admin] {
            _ = try await Command.run(["curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Origin: \(url)",
                                       "--data-urlencode", "username=admin", "--data-urlencode", "password=\(password)", url + "/ui/login"])
        }
        // A webhook's secret and an enrolled registry's password.
        let webhookSecret = "webhook-secret-for-the-log-test"
        secrets.append(webhookSecret)
        try webhookSecret.write(toFile: dir + "/webhook-secret", atomically: true, encoding: .utf8)
        #expect(try await drydock(["webhook", "add", "http://127.0.0.1:9/hook", "--events", "scan.completed",
                                   "--secret-file", dir + "/webhook-secret"]).succeeded)
        let registryPassword = "registry-password-for-the-log-test"
        secrets.append(registryPassword)
        let enrolled = try await Command.run([binary, "defender", "registry", "add", "elsewhere", "--url", "http://127.0.0.1:9",
                                              "--username", "someone", "--password", registryPassword], environment: env)
        #expect(enrolled.succeeded, "\(enrolled.stderr)")
        #expect(!enrolled.stdout.contains(registryPassword), "never printed back")
        try await Task.sleep(for: .seconds(2))  // the listing of the dead registry fails and is logged
        server.stop()

        let log = try String(contentsOfFile: server.log, encoding: .utf8)
        #expect(log.split(separator: "\n").count > 20, "trace logging wrote something to search")
        for secret in secrets {
            #expect(!log.contains(secret), "a secret is in the server's log: \(secret.prefix(6))…")
        }
    }
}
