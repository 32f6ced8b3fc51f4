import Foundation
@testable import RegistryClient
import Testing

@Suite struct AuthParsingTests {
    @Test func parsesBearerChallenge() throws {
        let c = try #require(AuthChallenge.parse(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#))
        #expect(c.scheme == .bearer)
        #expect(c.realm == "https://auth.example/token")
        #expect(c.service == "registry.example")
        #expect(c.scope == "repository:a/b:pull,push")
    }

    @Test func parsesBasicAndUnquotedAndEscapes() throws {
        #expect(AuthChallenge.parse(#"Basic realm="Registry Realm""#)?.scheme == .basic)
        #expect(AuthChallenge.parse("Bearer realm=https://x/token,service=svc")?.service == "svc")
        #expect(AuthChallenge.parse(#"Bearer realm="a\"b""#)?.realm == "a\"b")
        #expect(AuthChallenge.parse(#"Negotiate abc, Basic realm="x""#)?.scheme == .basic)
        #expect(AuthChallenge.parse("Negotiate") == nil)
        #expect(AuthChallenge.parse("") == nil)
    }

    @Test func readsDockerAndPodmanAuthFiles() throws {
        let dir = NSTemporaryDirectory() + "auth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let podman = dir + "/auth.json"
        let docker = dir + "/config.json"
        let encoded = Data("alice:s3cret:with:colons".utf8).base64EncodedString()
        try #"{"auths":{"localhost:5000":{"auth":"\#(encoded)"}}}"#.write(toFile: podman, atomically: true, encoding: .utf8)
        try #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(Data("bob:pw".utf8).base64EncodedString())"}},"credsStore":"desktop"}"#
            .write(toFile: docker, atomically: true, encoding: .utf8)
        let paths = [podman, docker]
        #expect(AuthFile.credentials(for: "localhost:5000", paths: paths) == Credentials(username: "alice", password: "s3cret:with:colons"))
        #expect(AuthFile.credentials(for: "docker.io", paths: paths) == Credentials(username: "bob", password: "pw"))
        #expect(AuthFile.credentials(for: "other:5000", paths: paths) == nil)
        #expect(AuthFile.credentials(for: "x", paths: [dir + "/missing.json"]) == nil)
    }

    @Test func defaultAuthFileOrderFollowsContainersTools() {
        let paths = AuthFile.defaultPaths(environment: ["REGISTRY_AUTH_FILE": "/a.json", "XDG_RUNTIME_DIR": "/run/u", "HOME": "/h"])
        #expect(paths == ["/a.json", "/run/u/containers/auth.json", "/h/.config/containers/auth.json", "/h/.docker/config.json"])
    }

    @Test func nextLinkFromLinkHeader() {
        #expect(RegistryClient.nextLink(#"</v2/a/tags/list?n=2&last=b>; rel="next""#) == "/v2/a/tags/list?n=2&last=b")
        #expect(RegistryClient.nextLink(#"</x>; rel="prev""#) == nil)
    }
}
