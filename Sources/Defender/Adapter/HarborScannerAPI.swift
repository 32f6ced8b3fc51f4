import Analysis
import Foundation
import Matching
import OCI
import RegistryClient
import Reports

/// Drydock as a Harbor scanner adapter: Harbor (or anything speaking the pluggable scanner API
/// v1.1) registers `https://drydock.example/api/v1` with a Drydock user's or token's
/// credentials, asks for scans of images in its own registry, and polls for the reports. Scans
/// pull from the registry the request names, with the authorization it carries (Harbor's robot
/// account: Basic, or a bearer token), never with Drydock's own logins, and are matched
/// against the defender's database exactly as its own scans are.
public struct HarborScannerAPI: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var contentType: String
        public var body: Data
        public var headers: [(String, String)] = []
    }

    let defender: Defender

    public init(defender: Defender) {
        self.defender = defender
    }

    /// - Parameter path: the segments after `/api/v1/`.
    public func handle(method: String, path: [String], accept: String?, body: @Sendable (Int) async throws -> Data) async -> Reply {
        switch (method, path.count, path.first ?? "") {
        case ("GET", 1, "metadata"):
            return json(await metadata(), type: HarborScan.metadataType)
        case ("POST", 1, "scan"):
            let data: Data
            do { data = try await body(1 << 20) } catch { return failure(413, "the scan request is larger than 1 MiB") }
            return await acceptScan(data)
        case ("GET", 3, "scan") where path[2] == "report":
            return await report(id: path[1], accept: accept)
        default:
            return failure(404, "no such operation: \(method) /api/v1/\(path.joined(separator: "/").prefix(100))")
        }
    }

    func metadata() async -> HarborScan.Metadata {
        var properties = ["harbor.scanner-adapter/scanner-type": "os-package-vulnerability"]
        if let built = await defender.database.current?.info.builtAt {
            properties["harbor.scanner-adapter/vulnerability-database-updated-at"] = Time.iso(built.timeIntervalSince1970)
        }
        return HarborScan.Metadata(scanner: Self.scanner,
                                   capabilities: [.init(consumes_mime_types: HarborScan.consumed,
                                                        produces_mime_types: [HarborScan.reportType, HarborScan.rawReportType])],
                                   properties: properties)
    }

    static let scanner = HarborScan.Scanner(name: "Drydock", vendor: "Drydock", version: Reports.toolVersion)

    /// Checks a scan request, records it and queues it: 202 with its ID, 400 for JSON that is not
    /// a scan request, 422 for a field Drydock cannot use.
    func acceptScan(_ data: Data) async -> Reply {
        let request: HarborScan.Request
        do { request = try JSONDecoder().decode(HarborScan.Request.self, from: data) } catch {
            return failure(400, "not a scan request: \(error)".prefix(300).description)
        }
        do { _ = try Self.source(for: request) } catch {
            return failure(422, "\(error)")
        }
        let id = UUID().uuidString.lowercased()
        do {
            try await defender.store.addAdapterScan(id: id, request: data, now: defender.now)
        } catch {
            return failure(500, "the scan request could not be recorded: \(error)")
        }
        await defender.submitAdapterScan(id)
        return json(HarborScan.Response(id: id), status: 202, type: HarborScan.responseType)
    }

    func report(id: String, accept: String?) async -> Reply {
        guard let scan = try? await defender.store.adapterScan(id: id) else { return failure(404, "no scan request \(id.prefix(100))") }
        switch scan.state {
        case "queued", "running":
            return Reply(status: 302, contentType: HarborScan.errorType, body: Data(), headers: [("Refresh-After", "2")])
        case "failed":
            return failure(500, scan.error ?? "the scan failed")
        default:
            let wanted = accept ?? HarborScan.reportType
            if wanted.contains(HarborScan.rawReportType) {
                return Reply(status: 200, contentType: HarborScan.rawReportType, body: scan.raw ?? Data("{}".utf8))
            }
            guard wanted.contains("vuln.report.harbor+json") || wanted.contains("*/*") || wanted.contains("application/json") else {
                return failure(400, "unsupported report type \(wanted.prefix(100)); use \(HarborScan.reportType) or \(HarborScan.rawReportType)")
            }
            return Reply(status: 200, contentType: HarborScan.reportType, body: scan.report ?? Data("{}".utf8))
        }
    }

    /// Where and how to pull what a request names.
    static func source(for request: HarborScan.Request) throws -> (ImageReference, RegistryImageSource.Options) {
        guard let url = URL(string: request.registry.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw DefenderError(.invalid, "registry.url must be an http or https URL")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let registry = hostPart + (url.port.map { ":\($0)" } ?? "")
        guard (try? RepositoryName(request.artifact.repository)) != nil else {
            throw DefenderError(.invalid, "artifact.repository '\(request.artifact.repository.prefix(100))' is not a repository name")
        }
        guard (try? Digest(request.artifact.digest)) != nil else {
            throw DefenderError(.invalid, "artifact.digest '\(request.artifact.digest.prefix(100))' is not a digest")
        }
        if let type = request.artifact.mime_type, !type.isEmpty, !HarborScan.consumed.contains(type) {
            throw DefenderError(.invalid, "artifact.mime_type \(type.prefix(100)) is not an image manifest Drydock scans")
        }
        let reference = try ImageReference("\(registry)/\(request.artifact.repository)@\(request.artifact.digest)")
        var options = RegistryImageSource.Options()
        options.insecure = scheme == "http"
        options.readsAuthFiles = false
        options.userAgent = "drydock-scanner-adapter"
        if let authorization = request.registry.authorization?.trimmingCharacters(in: .whitespaces), !authorization.isEmpty {
            let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw DefenderError(.invalid, "registry.authorization must be 'Basic …' or 'Bearer …'") }
            switch parts[0].lowercased() {
            case "basic":
                guard let decoded = Data(base64Encoded: parts[1]).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw DefenderError(.invalid, "registry.authorization: Basic credentials must be base64 of user:password")
                }
                options.credentials = Credentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            case "bearer":
                options.bearerToken = parts[1]
            default:
                throw DefenderError(.invalid, "registry.authorization must be 'Basic …' or 'Bearer …'")
            }
        }
        return (reference, options)
    }

    private func json(_ value: some Encodable, status: Int = 200, type: String) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Reply(status: status, contentType: type, body: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    private func failure(_ status: Int, _ message: String) -> Reply {
        json(HarborScan.ErrorBody(error: .init(message: message)), status: status, type: HarborScan.errorType)
    }
}
