import Foundation

/// A username and password (or an identity token) for one registry.
public struct Credentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    var basicHeader: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// Reads credentials the way podman, skopeo and docker store them, so `drydock` works with a
/// `podman login` or `docker login` already done. Searched in order: `$REGISTRY_AUTH_FILE`,
/// `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`,
/// `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. Credential helpers are not run.
public enum AuthFile {
    public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"] { paths.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"] { paths.append(runtime + "/containers/auth.json") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        paths.append(home + "/.config/containers/auth.json")
        paths.append((environment["DOCKER_CONFIG"] ?? home + "/.docker") + "/config.json")
        return paths
    }

    /// Credentials for `registry` (`host[:port]`) from the first file that has them.
    public static func credentials(for registry: String, paths: [String] = defaultPaths()) -> Credentials? {
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path), data.count < 4 << 20 else { continue }
            if let found = credentials(for: registry, json: data) { return found }
        }
        return nil
    }

    static func credentials(for registry: String, json: Data) -> Credentials? {
        struct File: Decodable {
            struct Entry: Decodable {
                var auth: String?
                var username: String?
                var password: String?
                var identitytoken: String?
            }
            var auths: [String: Entry]?
        }
        guard let file = try? JSONDecoder().decode(File.self, from: json), let auths = file.auths else { return nil }
        let wanted = normalise(registry)
        for (key, entry) in auths where normalise(key) == wanted {
            if let auth = entry.auth, let decoded = Data(base64Encoded: auth).flatMap({ String(data: $0, encoding: .utf8) }),
               let colon = decoded.firstIndex(of: ":") {
                return Credentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            }
            if let username = entry.username, let password = entry.password {
                return Credentials(username: username, password: password)
            }
        }
        return nil
    }

    /// `https://index.docker.io/v1/` and `docker.io` name the same registry; keys may carry a
    /// scheme or a path.
    static func normalise(_ key: String) -> String {
        var host = key
        for prefix in ["https://", "http://"] where host.hasPrefix(prefix) { host = String(host.dropFirst(prefix.count)) }
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        if ["index.docker.io", "registry-1.docker.io", "docker.io"].contains(host) { return "docker.io" }
        return host
    }
}
