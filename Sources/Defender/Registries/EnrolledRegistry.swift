import Foundation
import RegistryClient

/// Reaching the registries of a subscription: the local one through this process's own
/// listener as `defender`, enrolled ones at their URL with the credentials they were enrolled
/// with (unsealed only for the request that needs them).
extension Defender {
    /// The key that seals stored credentials, read (or made) on first use.
    func secretBox() throws -> SecretBox {
        try secrets.withLock { cached in
            if let cached { return cached }
            guard let path = configuration.secretKeyFile else {
                throw DefenderError(.invalid, "no secret key file is configured, so no credentials can be stored (serve --secret-key-file)")
            }
            let box = try SecretBox.load(path: path, create: configuration.generatesSecretKey)
            cached = box
            return box
        }
    }

    /// What a registry's sealed password is bound to.
    static func secretContext(registry: String) -> String { "registry:\(registry)" }

    /// How the defender reaches the registry an image is in.
    func endpoint(forRegistry name: String) async throws -> DefenderConfiguration.RegistryEndpoint {
        if name == DefenderConfiguration.localRegistry { return currentEndpoint }
        guard let settings = try await store.registry(named: name), !settings.isLocal else {
            throw ScanFailure.permanent("the registry '\(name)' is no longer enrolled")
        }
        return try endpoint(for: settings)
    }

    func endpoint(for settings: DefenderStore.RegistrySettings) throws -> DefenderConfiguration.RegistryEndpoint {
        guard let url = settings.url else { return currentEndpoint }
        let (address, plainHTTP) = try EnrolledRegistry.address(of: url)
        var credentials: Credentials?
        if let username = settings.username {
            let password = try settings.secret.map { try secretBox().unseal($0, context: Self.secretContext(registry: settings.name)) }
            credentials = Credentials(username: username, password: password ?? "")
        }
        return .init(address: address, plainHTTP: plainHTTP, credentials: credentials, skipTLSVerify: settings.skipTLSVerify)
    }

    /// A client for an enrolled registry (listing its catalog and tags, reading a manifest).
    func client(for settings: DefenderStore.RegistrySettings) throws -> RegistryClient {
        let endpoint = try endpoint(for: settings)
        var options = RegistryClient.Options()
        options.plainHTTP = endpoint.plainHTTP
        options.skipTLSVerify = endpoint.skipTLSVerify
        options.credentials = endpoint.credentials
        options.readsAuthFiles = false
        options.userAgent = "drydock-defender"
        options.maxAttempts = 2
        options.timeout = .seconds(60)
        return try RegistryClient(registry: endpoint.address, options: options)
    }
}

/// An enrolled registry's URL: `https://host[:port]` (or `http://` for a plain-HTTP registry);
/// a bare `host[:port]` means HTTPS. Nothing after the authority: registries live at `/v2/`.
enum EnrolledRegistry {
    static func normalise(_ text: String) throws -> String {
        let given = text.contains("://") ? text : "https://" + text
        guard text.count <= 2048, let url = URLComponents(string: given), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
              url.user == nil, url.password == nil, url.query == nil, url.fragment == nil,
              url.path.isEmpty || url.path == "/" else {
            throw DefenderError(.invalid, "url must be a registry's base URL: https://HOST[:PORT] or http://HOST[:PORT], without a path or credentials")
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// `HOST[:PORT]` as RegistryClient takes it, and whether it speaks plain HTTP.
    static func address(of url: String) throws -> (address: String, plainHTTP: Bool) {
        let normalised = try normalise(url)
        let plain = normalised.hasPrefix("http://")
        return (String(normalised.dropFirst(plain ? 7 : 8)), plain)
    }
}
