import DrydockTestSupport
import Foundation
import OCI
import RegistryClient
import Testing

/// The `drydock serve` process itself: TLS with a CA the test creates, clean shutdown on SIGTERM.
@Suite struct ServeProcessTests {
    /// A CA and a server certificate for 127.0.0.1 signed by it.
    static func makeCertificates(in dir: String) async throws {
        let steps: [[String]] = [
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Drydock Test CA",
             "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.crt"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr"],
            ["sh", "-c", "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > \(dir)/ext.cnf"],
            ["openssl", "x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "\(dir)/ext.cnf", "-out", "\(dir)/server.crt"],
        ]
        for step in steps {
            let result = try await Command.run(step)
            guard result.succeeded else { throw TestSupportError("\(step[0]) failed: \(result.stderr)") }
        }
    }

    @Test func servesTLSThatClientsVerifyWithTheCA() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Self.makeCertificates(in: dir)
        let server = try DrydockProcess(binary: binary, data: dir + "/data",
                                        extraArguments: ["--tls-cert", dir + "/server.crt", "--tls-key", dir + "/server.key"])
        defer { server.stop() }

        var options = RegistryClient.Options()
        options.caFile = dir + "/ca.crt"
        let client = try RegistryClient(registry: "127.0.0.1:\(server.port)", options: options)
        try await client.ping()
        let digest = try await client.uploadBlob(try RepositoryName("tls/app"), bytes: Array("over tls".utf8))
        #expect(try await client.blob(try RepositoryName("tls/app"), digest: digest) == Array("over tls".utf8))
        await client.shutdown()

        // Without the CA the certificate is refused.
        let untrusting = try RegistryClient(registry: "127.0.0.1:\(server.port)", options: { var o = RegistryClient.Options(); o.maxAttempts = 1; return o }())
        await #expect(throws: RegistryClientError.self) { try await untrusting.ping() }
        await untrusting.shutdown()

        // skopeo verifies against the CA given with --cert-dir.
        let certDir = dir + "/certs"
        try FileManager.default.createDirectory(atPath: certDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/ca.crt", toPath: certDir + "/ca.crt")
        let layout = try await Fixtures.debianLayout
        let push = try await Command.run(["skopeo", "copy", "--dest-cert-dir", certDir, "oci:\(layout):latest",
                                          "docker://127.0.0.1:\(server.port)/tls/debian:v1"])
        #expect(push.succeeded, "\(push.stderr)")
    }

    @Test func sigtermStopsCleanlyAndFast() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "sigterm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let started = ContinuousClock.now
        let server = try DrydockProcess(binary: binary, data: dir + "/data")
        let startup = ContinuousClock.now - started
        #expect(startup < .seconds(5), "startup took \(startup)")
        var options = RegistryClient.Options()
        options.plainHTTP = true
        let client = try RegistryClient(registry: "127.0.0.1:\(server.port)", options: options)
        try await client.ping()
        await client.shutdown()
        #expect(server.terminate() == 0)
        let log = try String(contentsOfFile: server.log, encoding: .utf8)
        #expect(!log.contains("error"), "\(log)")
    }
}
