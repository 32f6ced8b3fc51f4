import Analysis
import Foundation
import Matching
import Synchronization

/// Matches an image's stored inventories (one per platform) against the loaded database: the
/// same pipeline as `drydock scan` (`ScanReport.make` without filters), so that the defender and
/// the command line say the same thing of the same image.
enum Evaluator {
    static func evaluate(_ inventories: [ImageInventory], database: DatabaseSlot.Loaded?) async throws -> DefenderStore.Evaluation {
        guard let database else {
            let packages = inventories.reduce(0) { $0 + $1.packages.count }
            return DefenderStore.Evaluation(
                findings: [], remediations: [], warnings: inventories.flatMap { $0.errors.map { "not analysed: \($0)" } },
                status: .noDatabase,
                message: "inventoried (\(packages) packages) but no vulnerability database is loaded: "
                    + "start the server with --vuln-db FILE, or install one with `drydock db update` or PUT /admin/vulndb",
                databaseBuiltAt: nil)
        }
        let matcher = Matcher(database: database.database, cache: database.cache)
        var findings: [Finding] = []
        var remediations: [Remediation] = []
        var warnings: [String] = []
        var seenFindings = Set<String>()
        var seenRemediations = Set<String>()
        for inventory in inventories {
            // Development-only lock entries are not reported, as by `drydock scan` without
            // --include-dev-deps.
            let report = try await ScanReport.make(inventory: inventory.withoutDevelopmentDependencies(), matcher: matcher,
                                                   filter: ScanFilter())
            // An index's platforms mostly share packages: each finding and action once.
            for finding in report.findings where seenFindings.insert(StoredFinding.key(finding)).inserted {
                findings.append(finding)
            }
            for remediation in report.remediations {
                let key = "\(remediation.package.ecosystem)|\(remediation.package.name)|\(remediation.package.location)|\(remediation.action)"
                if seenRemediations.insert(key).inserted { remediations.append(remediation) }
            }
            for warning in report.warnings where !warnings.contains(warning) { warnings.append(warning) }
        }
        let bodies = findings.map { database.bodies.body(for: $0) }
        // A partial inventory (a bound of the analysis was reached) is matched for what it has,
        // and says so: its findings are not everything the image holds.
        let incomplete = inventories.flatMap { $0.incomplete ?? [] }
        return DefenderStore.Evaluation(findings: findings, remediations: remediations, warnings: warnings, status: .completed,
                                        message: incomplete.isEmpty ? nil : "inventory incomplete: " + incomplete.joined(separator: "; "),
                                        databaseBuiltAt: database.info.builtAt.timeIntervalSince1970, bodies: bodies)
    }
}

extension Evaluator {
    /// The part of an image's inventories a database update can change: the packages under a
    /// changed advisory key (everything else is as good as matched against the new database),
    /// and their identities as `DefenderStore.store(_:imageID:now:scope:)` takes them.
    static func restrict(_ inventories: [ImageInventory], to filter: AdvisoryKeyFilter) -> (inventories: [ImageInventory], scope: Set<String>) {
        var scope = Set<String>()
        let reduced = inventories.map { inventory in
            var copy = inventory
            copy.packages = inventory.packages.filter { filter.matches($0, os: inventory.os) }
            for package in copy.packages { scope.insert(packageIdentity(package)) }
            return copy
        }
        return (reduced, scope)
    }

    /// A package as a finding names it: the part of `StoredFinding.key` after the vulnerability.
    static func packageIdentity(_ package: Package) -> String {
        "\(package.type.rawValue)|\(package.name)|\(package.location)"
    }
}

/// Stored JSON of the findings matched against one database: the same package in the same layer
/// gives the same finding in every image, so each is encoded and hashed once.
final class FindingBodyCache: Sendable {
    private let bodies = Mutex<[Finding: FindingBody]>([:])
    /// Bounded like the matcher's memo: past this it starts over.
    static let limit = 200_000

    func body(for finding: Finding) -> FindingBody {
        if let hit = bodies.withLock({ $0[finding] }) { return hit }
        let made = FindingBody(finding)
        bodies.withLock {
            if $0.count >= Self.limit { $0.removeAll(keepingCapacity: true) }
            $0[finding] = made
        }
        return made
    }
}
