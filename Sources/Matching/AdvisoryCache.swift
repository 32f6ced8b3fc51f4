import Foundation
import VulnDB

/// Advisory lookups kept in memory across match runs. Re-matching many stored inventories after
/// a database update (the defender's job) asks for the same few thousand package keys again and
/// again; with this cache each is read and decoded from SQLite once.
public final class AdvisoryCache: @unchecked Sendable {
    private let lock = NSLock()
    private var affected: [String: [AffectedPackage]] = [:]
    private var records: [String: Vulnerability?] = [:]
    private var knownNamespaces: Set<String>?
    private var evaluated: [String: Evaluation] = [:]
    private var summaries: [String: Matcher.RecordSummary] = [:]

    /// The entries that affect one version of one package, and entries that could not be
    /// compared. Version checks are the expensive part of matching (OSV records enumerate
    /// hundreds of versions); stored inventories share most package versions, so each
    /// (package, version) is evaluated once.
    struct Evaluation {
        var affecting: [AffectedPackage]
        var errors: [String]
    }

    public init() {}

    func affected(_ database: VulnDatabase, namespace: String, package: String) async throws -> [AffectedPackage] {
        let key = namespace + "\u{0}" + package
        if let hit = lock.withLock({ affected[key] }) { return hit }
        let loaded = try await database.affected(namespace: namespace, package: package)
        lock.withLock { affected[key] = loaded }
        return loaded
    }

    func evaluate(_ database: VulnDatabase, _ key: AdvisoryKey) async throws -> Evaluation {
        let cacheKey = "\(key.namespace)\u{0}\(key.key)\u{0}\(key.version)\u{0}\(key.ecosystem.rawValue)"
        if let hit = lock.withLock({ evaluated[cacheKey] }) { return hit }
        var result = Evaluation(affecting: [], errors: [])
        for entry in try await affected(database, namespace: key.namespace, package: key.key) where entry.ecosystem == key.ecosystem {
            do {
                if try entry.isAffected(version: key.version) { result.affecting.append(entry) }
            } catch {
                result.errors.append("\(key.key) \(key.version): cannot compare with \(entry.vulnerabilityID) (\(error))")
            }
        }
        lock.withLock { evaluated[cacheKey] = result }
        return result
    }

    func summary(_ database: VulnDatabase, record: Vulnerability, severity: SeverityChoice) async throws -> Matcher.RecordSummary {
        let cacheKey = record.id + "\u{0}" + severity.order.joined(separator: ",")
        if let hit = lock.withLock({ summaries[cacheKey] }) { return hit }
        var related: [Vulnerability] = []
        for alias in record.aliases.prefix(4) where alias.hasPrefix("CVE-") || alias.hasPrefix("GHSA-") {
            if let other = try await vulnerability(database, id: alias), other.id != record.id { related.append(other) }
        }
        let summary = Matcher.summarise(record, related: related, severity: severity)
        lock.withLock { summaries[cacheKey] = summary }
        return summary
    }

    func namespaces(_ database: VulnDatabase) async throws -> Set<String> {
        if let hit = lock.withLock({ knownNamespaces }) { return hit }
        let loaded = try await database.namespaces()
        lock.withLock { knownNamespaces = loaded }
        return loaded
    }

    func vulnerability(_ database: VulnDatabase, id: String) async throws -> Vulnerability? {
        if let hit = lock.withLock({ records[id] }) { return hit }
        let loaded = try await database.vulnerability(id: id)
        lock.withLock { records[id] = .some(loaded) }
        return loaded
    }
}
