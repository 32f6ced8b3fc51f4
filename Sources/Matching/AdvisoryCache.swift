import Analysis
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
    private var packageMatches: [PackageMatchKey: Matcher.PackageMatch] = [:]
    /// Past this many packages the memo starts over (a registry's worth of distinct packages
    /// stays well below it; the bound keeps a pathological one from growing without end).
    static let packageMatchLimit = 200_000

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

    func packageMatch(_ key: PackageMatchKey) -> Matcher.PackageMatch? {
        lock.withLock { packageMatches[key] }
    }

    func storePackageMatch(_ key: PackageMatchKey, _ match: Matcher.PackageMatch) {
        lock.withLock {
            if packageMatches.count >= Self.packageMatchLimit { packageMatches.removeAll(keepingCapacity: true) }
            packageMatches[key] = match
        }
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

/// Everything a package's findings depend on: the package itself (name, version, source, where
/// it is and which layer put it there), the OS it is matched under, its layer's place in the
/// image (findings say "layer 1 of 5") and the severity order.
struct PackageMatchKey: Hashable {
    var type: String
    var name: String
    var version: String
    var sourceName: String?
    var sourceVersion: String?
    var location: String
    var purl: String?
    var ownedBy: String?
    var layerDigest: String?
    var layerIndex: Int?
    var layerCount: Int
    var osFamily: String?
    var osRelease: String?
    var severityOrder: [String]

    init(_ package: Package, os: OSRelease?, layers: [ImageInventory.Layer], severity: [String]) {
        type = package.type.rawValue
        name = package.name
        version = package.version
        sourceName = package.sourceName
        sourceVersion = package.sourceVersion
        location = package.location
        purl = package.purl
        ownedBy = package.properties["ownedBy"]
        layerDigest = package.layerDigest
        layerIndex = layers.first { $0.digest == package.layerDigest }?.index
        layerCount = layers.count
        osFamily = os?.family
        osRelease = os.map { "\($0.version)|\($0.releaseKey)" }
        severityOrder = severity
    }
}
