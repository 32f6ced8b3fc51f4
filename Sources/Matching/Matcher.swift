import Analysis
import Versioning
import VulnDB

/// Matches inventories against one database. One matcher can match many inventories; lookups
/// are cached per run, since an image's binary packages share source packages.
public struct Matcher: Sendable {
    public let database: VulnDatabase
    public var severity: SeverityChoice
    /// Shared lookups; give one cache to a matcher that matches many inventories.
    public var cache: AdvisoryCache

    public init(database: VulnDatabase, severity: SeverityChoice = SeverityChoice(), cache: AdvisoryCache = AdvisoryCache()) {
        self.database = database
        self.severity = severity
        self.cache = cache
    }

    public func match(_ inventory: ImageInventory) async throws -> MatchResult {
        var findings: [Finding] = []
        var warnings: [String] = []
        var namespacesSearched: Set<String> = []
        var unmatchable = 0

        for package in inventory.packages {
            // Images share most packages (a common base, the same layers): what one package in
            // one place of one OS matches is worked out once per cache.
            let memoKey = PackageMatchKey(package, os: inventory.os, layers: inventory.layers, severity: severity.order)
            let result: PackageMatch
            if let hit = cache.packageMatch(memoKey) {
                result = hit
            } else {
                result = try await matchPackage(package, inventory: inventory)
                cache.storePackageMatch(memoKey, result)
            }
            if result.unmatchable { unmatchable += 1 }
            namespacesSearched.formUnion(result.namespaces)
            warnings += result.warnings
            findings += result.findings
        }

        if unmatchable > 0 {
            let os = inventory.os.map { "\($0.family) \($0.version)" } ?? "an unidentified OS"
            warnings.append("\(unmatchable) OS packages were not matched: no advisory namespace for \(os)")
        }
        let known = try await cache.namespaces(database)
        for namespace in namespacesSearched.sorted() where !known.contains(namespace) && namespace.contains(":") {
            warnings.append("the database has no advisories for \(namespace): its packages cannot be reported")
        }
        findings.sort(by: Finding.reportOrder)
        // A comparison problem is reported once, not once per package sharing the advisory key.
        var seen: Set<String> = []
        return MatchResult(findings: findings, warnings: warnings.filter { seen.insert($0).inserted })
    }

    /// Everything matching says about one package.
    struct PackageMatch {
        var findings: [Finding]
        var warnings: [String]
        var namespaces: Set<String>
        var unmatchable: Bool
    }

    private func matchPackage(_ package: Package, inventory: ImageInventory) async throws -> PackageMatch {
        let keys = AdvisoryKey.keys(for: package, os: inventory.os)
        if keys.isEmpty {
            return PackageMatch(findings: [], warnings: [], namespaces: [], unmatchable: package.type.isOSPackage)
        }
        var result = PackageMatch(findings: [], warnings: [], namespaces: [], unmatchable: false)
        var byID: [String: Finding] = [:]
        for key in keys {
            result.namespaces.insert(key.namespace)
            let evaluation = try await cache.evaluate(database, key)
            result.warnings += evaluation.errors
            for entry in evaluation.affecting {
                guard let record = try await cache.vulnerability(database, id: entry.vulnerabilityID), record.withdrawn == nil,
                      record.informational == nil else { continue }
                let finding = try await makeFinding(package, inventory: inventory, key: key, entry: entry, record: record)
                // One finding per vulnerability and package, however many records describe it.
                if let existing = byID[finding.vulnerabilityID] {
                    byID[finding.vulnerabilityID] = Self.merge(existing, finding)
                } else {
                    byID[finding.vulnerabilityID] = finding
                }
            }
        }
        result.findings = Array(byID.values)
        return result
    }

    private func makeFinding(_ package: Package, inventory: ImageInventory, key: AdvisoryKey, entry: AffectedPackage,
                             record: Vulnerability) async throws -> Finding {
        let about = try await cache.summary(database, record: record, severity: severity)
        let fixed = Self.fixedVersion(entry, above: key.version, ecosystem: key.ecosystem)
        let status: FindingStatus = switch entry.status {
        case .fixed: fixed == nil ? .affected : .fixed
        case .willNotFix: .willNotFix
        case .fixDeferred: .fixDeferred
        case .affected, .notAffected: .affected
        }
        return Finding(
            vulnerabilityID: about.id, aliases: about.aliases, package: FindingPackage(package, layers: inventory.layers),
            status: status, fixedVersion: status == .fixed ? fixed : nil, severity: about.severity.label,
            severitySource: about.severity.source, cvssScore: about.severity.score, cvssVector: about.severity.vector,
            title: record.summary ?? record.details.map { String($0.prefix(200)) }, references: record.references,
            knownExploited: record.knownExploited,
            match: MatchDetails(namespace: key.namespace, key: key.key, version: key.version,
                                matched: Self.describe(entry), kind: key.kind),
            remediation: "")
    }

    /// What a finding says about its vulnerability, the same for every package it affects.
    struct RecordSummary {
        var id: String
        var aliases: [String]
        var severity: SeverityChoice.Chosen
    }

    static func summarise(_ record: Vulnerability, related: [Vulnerability], severity: SeverityChoice) -> RecordSummary {
        // Severity statements of the record and of the records it is also known as (the Debian
        // record for a CVE carries Debian's urgency, the CVE record NVD/ADP scores).
        let chosen = severity.choose(record.severities + related.flatMap(\.severities))
        let cves = ([record.id] + record.aliases).filter { $0.hasPrefix("CVE-") }
        // Users and other scanners talk about CVEs: report the CVE id when the record is one CVE.
        let id = cves.count == 1 ? cves[0] : record.id
        return RecordSummary(id: id, aliases: ([record.id] + record.aliases).filter { $0 != id }, severity: chosen)
    }

    /// The lowest listed fixed version above `version` (several ranges can each have a fix).
    static func fixedVersion(_ entry: AffectedPackage, above version: String, ecosystem: Ecosystem) -> String? {
        let candidates = entry.fixedVersions.filter { (try? compare($0, version, in: ecosystem)) == .greater }
        return candidates.min { a, b in (try? compare(a, b, in: ecosystem)) == .less }
    }

    static func describe(_ entry: AffectedPackage) -> String {
        var parts: [String] = []
        for range in entry.ranges {
            parts.append(range.map(Self.describe).joined(separator: ", "))
        }
        parts += entry.vulnerableConstraints.map { "vulnerable \($0)" }
        parts += entry.safeConstraints.map { "not \($0)" }
        // OSV lists the affected versions next to the ranges; they only say something new alone.
        if parts.isEmpty, !entry.versions.isEmpty { parts.append("versions \(entry.versions.prefix(5).joined(separator: ", "))\(entry.versions.count > 5 ? ", …" : "")") }
        if parts.isEmpty { parts.append("every version (\(entry.status.rawValue))") }
        return parts.joined(separator: "; ")
    }

    static func describe(_ event: OSVEvent) -> String {
        switch event {
        case .introduced(let v): return "introduced \(v)"
        case .fixed(let v): return "fixed \(v)"
        case .lastAffected(let v): return "last affected \(v)"
        case .limit(let v): return "limit \(v)"
        }
    }

    /// Two records for the same vulnerability and package: keep the more useful statement
    /// (a fix over none, the lower fixed version) and everything both know.
    static func merge(_ a: Finding, _ b: Finding) -> Finding {
        var out = a.status <= b.status ? a : b
        let other = a.status <= b.status ? b : a
        out.aliases = Array(Set(a.aliases + b.aliases)).sorted()
        out.references = Array(Set(a.references + b.references)).sorted()
        if SeverityLevel(label: other.severity) > SeverityLevel(label: out.severity), out.severitySource == nil {
            out.severity = other.severity
            out.severitySource = other.severitySource
        }
        out.knownExploited = a.knownExploited || b.knownExploited
        return out
    }
}

/// The findings for one image, before filtering and remediation planning.
public struct MatchResult: Sendable {
    public var findings: [Finding]
    public var warnings: [String]
}

extension Finding {
    /// Most severe first, then package, then id.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        let sa = SeverityLevel(label: a.severity), sb = SeverityLevel(label: b.severity)
        if sa != sb { return sa > sb }
        if a.package.name != b.package.name { return a.package.name < b.package.name }
        if a.package.location != b.package.location { return a.package.location < b.package.location }
        return a.vulnerabilityID < b.vulnerabilityID
    }
}
