import Defender
import Foundation

/// The defender's admin API answers, decoded: the dashboard reads the same JSON the CLI and
/// scripts read, so a number on a page is the number the API gives.
struct DefenderData {
    let api: DefenderAPI

    struct APIError: Error, CustomStringConvertible {
        var status: Int
        var description: String
    }

    func get<T: Decodable>(_ group: String, _ path: [String] = [], query: [String: String] = [:], as type: T.Type) async throws -> T {
        let reply: DefenderAPI.Reply
        do {
            reply = try await api.handle(group: group, method: "GET", path: path, query: query, body: { _ in Data() })
        } catch let error as DefenderError {
            throw APIError(status: error.kind == .notFound ? 404 : 400, description: error.description)
        }
        return try JSONDecoder().decode(T.self, from: reply.json)
    }

    /// A change made through the API on behalf of a signed-in user.
    func send(_ group: String, _ method: String, _ path: [String] = [], json: [String: Any] = [:], identity: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try await api.handle(group: group, method: method, path: path, query: [:], identity: identity, body: { _ in body })
        } catch let error as DefenderError {
            throw APIError(status: error.kind == .notFound ? 404 : 400, description: error.description)
        }
    }

    // MARK: Shapes of the answers (only the fields the pages show)

    struct ImageRow: Decodable {
        var registry: String
        var repository: String
        var tag: String?
        var tags: [String]
        var digest: String
        var scanStatus: String
        var statusMessage: String?
        var healthy: Bool?
        var scannedAt: String?
        var counts: [String: Int]
        var total: Int
    }
    struct ImageList: Decodable { var images: [ImageRow] }

    struct Status: Decodable {
        struct Registry: Decodable { var name: String; var kind: String; var include: [String]; var exclude: [String] }
        struct Subscription: Decodable { var name: String; var plan: String; var registries: [Registry] }
        struct Queue: Decodable { var queued: Int; var running: Int; var waitingOnNetworkRules: Int }
        struct Database: Decodable {
            var path: String
            var loaded: Bool
            var builtAt: String?
            var vulnerabilities: Int?
            var sources: [String]?
            var error: String?
        }
        struct Images: Decodable { var total: Int; var healthy: Int; var unhealthy: Int; var unknown: Int; var byStatus: [String: Int] }
        var subscriptions: [Subscription]
        var queue: Queue
        var database: Database
        var lastDatabaseUpdate: String?
        var images: Images
        var healthThreshold: String
    }

    struct Package: Decodable {
        var name: String
        var version: String
        var ecosystem: String?
        var location: String
        var layerDigest: String?
        var layerIndex: Int?
    }
    struct Match: Decodable { var namespace: String; var key: String; var version: String; var matched: String; var kind: String }
    struct ExemptionRef: Decodable { var id: Int; var justification: String; var expiresAt: String?; var createdBy: String }
    struct Finding: Decodable {
        var vulnerabilityID: String
        var aliases: [String]
        var package: Package
        var status: String
        var fixedVersion: String?
        var severity: String
        var cvssScore: Double?
        var title: String?
        var references: [String]
        var knownExploited: Bool
        var match: Match
        var remediation: String
        var state: String
        var firstSeen: String
        var lastSeen: String
        var resolvedAt: String?
        var resolvedBy: String?
        var exemption: ExemptionRef?
    }
    struct Remediation: Decodable {
        var package: Package
        var action: String
        var targetVersion: String?
        var fixes: [String]
        var unfixed: [String]
        var highestSeverity: String
    }
    struct Layer: Decodable { var index: Int; var digest: String; var size: Int64; var createdBy: String? }
    struct Image: Decodable {
        var registry: String
        var repository: String
        var digest: String
        var tags: [String]
        var platforms: [String]
        var layers: [Layer]
        var scanStatus: String
        var statusMessage: String?
        var scannedAt: String?
        var databaseBuiltAt: String?
        var healthy: Bool?
        var healthThreshold: String
        var findings: [Finding]
        var remediations: [Remediation]
        var warnings: [String]
    }

    struct Job: Decodable { var repository: String; var digest: String; var state: String; var attempts: Int; var trigger: String; var lastError: String? }
    struct Jobs: Decodable { var jobs: [Job] }

    struct Usage: Decodable {
        struct Charge: Decodable { var amount: Double; var currency: String }
        struct Registry: Decodable { var name: String; var imagesScanned: Int }
        struct Subscription: Decodable { var name: String; var imagesScanned: Int; var charge: Charge; var registries: [Registry] }
        var period: String
        var subscriptions: [Subscription]
    }

    struct Exemption: Decodable {
        var id: Int
        var vulnerability: String?
        var package: String?
        var purl: String?
        var repository: String?
        var maxSeverity: String?
        var justification: String
        var createdBy: String
        var createdAt: String
        var expiresAt: String?
        var removedAt: String?
        var source: String
        var active: Bool?
    }
    struct Exemptions: Decodable { var exemptions: [Exemption] }

    struct TrendDay: Decodable { var date: String; var opened: Int; var resolved: Int }
    struct Trend: Decodable { var days: [TrendDay] }
}
