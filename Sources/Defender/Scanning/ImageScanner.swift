import Analysis
import Foundation
import OCI
import RegistryClient

/// Pulls an image through the registry API, as the `defender` identity, and inventories it:
/// one inventory per platform. Layers already analysed (in this image or any other) come from
/// the per-layer cache, so only new layers are read.
struct ImageScanner: Sendable {
    let analyzer: ImageAnalyzer

    init(layerCache: String, limits: AnalysisLimits = AnalysisLimits()) {
        var analyzer = ImageAnalyzer(cache: LayerCache(directory: URL(fileURLWithPath: layerCache)))
        analyzer.limits = limits
        // Scans share the machine with the registry: a layer at a time per scan.
        analyzer.concurrency = 2
        self.analyzer = analyzer
    }

    /// Identifies the analyzers (names and versions): inventories made by other ones are redone.
    var analyzerFingerprint: String {
        analyzer.analyzers.map { "\($0.name)@\($0.version)" }.sorted().joined(separator: ",")
    }

    func inventories(from endpoint: DefenderConfiguration.RegistryEndpoint, repository: String,
                     digest: String) async throws -> [ImageInventory] {
        let reference = try ImageReference("\(endpoint.address)/\(repository)@\(digest)")
        var options = RegistryImageSource.Options()
        options.insecure = endpoint.plainHTTP
        options.credentials = endpoint.credentials
        options.skipTLSVerify = endpoint.skipTLSVerify
        options.userAgent = "drydock-defender"
        // The server's own logins (a docker or podman auth file of whoever runs it) are not
        // the defender's: it uses only the credentials it was given.
        options.readsAuthFiles = false
        if let realm = endpoint.tokenRealm {
            var header = "Bearer realm=\"\(realm)\""
            if let service = endpoint.tokenService { header += ",service=\"\(service)\"" }
            options.knownChallenge = AuthChallenge.parse(header)
        }
        return try await inventories(of: reference, options: options)
    }

    /// Inventories of an image in any registry (a scan request from Harbor names its own).
    func inventories(of reference: ImageReference, options: RegistryImageSource.Options) async throws -> [ImageInventory] {
        let source = try RegistryImageSource(reference: reference, options: options)
        do {
            let inventories = try await analyzer.analyze(source)
            await source.close()
            return inventories
        } catch {
            await source.close()
            throw error
        }
    }
}

/// Why a scan did not finish, and what the queue does about it.
enum ScanFailure: Error {
    /// The registry's network rules refuse the defender: wait for them to change.
    case blocked(String)
    /// Worth another try later (connection refused, 5xx, a timeout).
    case transient(String)
    /// Will not get better by retrying (a corrupt layer, a decompression bomb, not an image).
    case permanent(String)
    /// The image is no longer in the registry.
    case gone

    static func classify(_ error: any Error) -> ScanFailure {
        if let failure = error as? ScanFailure { return failure }
        if let client = error as? RegistryClientError {
            if client.status == 403, Self.isNetworkRefusal(client.message) {
                return .blocked(client.message)
            }
            if client.status == 404 || client.code == "MANIFEST_UNKNOWN" || client.code == "NAME_UNKNOWN" { return .gone }
            if client.status == nil || (client.status ?? 0) >= 500 || client.status == 429 { return .transient(client.description) }
            if client.message.contains("arrived with digest") { return .permanent(client.description) }
            return .transient(client.description)
        }
        if let analysis = error as? AnalysisError {
            if case .badLayer(_, let why) = analysis, Self.isNetworkRefusal(why) { return .blocked(why) }
            if case .badLayer(_, let why) = analysis, why.contains("[HTTP 5") || why.contains("failed:") { return .transient(analysis.description) }
            return .permanent(analysis.description)
        }
        if error is OCIError { return .permanent("\(error)") }
        return .transient("\(error)")
    }

    /// The access gate's refusals by network rule (public access off, IP rules), as it words them.
    static func isNetworkRefusal(_ message: String) -> Bool {
        message.contains("public network access is disabled") || message.contains("IP rules refuse")
    }
}
