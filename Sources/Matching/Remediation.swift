import Foundation
import Analysis
import Versioning

/// One action for one package: the upgrade that removes all of its fixable findings at once.
public struct Remediation: Codable, Sendable, Hashable {
    public var package: FindingPackage
    /// The command, or what to do when no fix exists.
    public var action: String
    /// The version that fixes every fixable finding of the package (the highest fixed version).
    public var targetVersion: String?
    /// Vulnerabilities the action removes, and those it cannot (no fix yet, will not fix…).
    public var fixes: [String]
    public var unfixed: [String]
    /// The highest severity among `fixes` (or among `unfixed` when nothing is fixable).
    public var highestSeverity: String
    /// Where the package came from: "introduced by layer 1 of 5 (base image); rebuild on a newer base".
    public var origin: String?
}

/// Groups findings per package into remediations, and writes the action into each finding.
public enum RemediationPlanner {
    public static func plan(_ findings: [Finding], layers: [ImageInventory.Layer]) -> (findings: [Finding], remediations: [Remediation]) {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, finding) in findings.enumerated() {
            let key = "\(finding.package.ecosystem)|\(finding.package.name)|\(finding.package.version)|\(finding.package.location)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        var out = findings
        var remediations: [Remediation] = []
        for key in order {
            let members = groups[key]!.map { findings[$0] }
            let package = members[0].package
            let ecosystem = AdvisoryKey.ecosystemFor(package.ecosystem)
            let fixable = members.filter { $0.status == .fixed && $0.fixedVersion != nil }
            let target = fixable.compactMap(\.fixedVersion).max { a, b in
                guard let ecosystem else { return a < b }
                return (try? compare(a, b, in: ecosystem)) == .less
            }
            let action: String
            if let target {
                action = RemediationCommand.command(for: package, target: target)
            } else {
                let statuses = Set(members.map(\.status.rawValue)).sorted().joined(separator: ", ")
                action = "no fixed version yet (\(statuses)); watch the advisories or replace \(package.name)"
            }
            let counted = fixable.isEmpty ? members : fixable
            let highest = counted.map { SeverityLevel(label: $0.severity) }.max() ?? .unknown
            remediations.append(Remediation(
                package: package, action: action, targetVersion: target,
                fixes: fixable.map(\.vulnerabilityID).sorted(),
                unfixed: members.filter { !fixable.contains($0) }.map(\.vulnerabilityID).sorted(),
                highestSeverity: highest.rawValue, origin: origin(package, layers: layers)))
            for index in groups[key]! { out[index].remediation = action }
        }
        remediations.sort(by: reportOrder)
        return (out, remediations)
    }

    /// The order remediations are shown in: most severe first, then the one that fixes most,
    /// then by package (name, place, version), so that any list of them sorts the same way
    /// however it was put together.
    public static func reportOrder(_ a: Remediation, _ b: Remediation) -> Bool {
        let sa = SeverityLevel(label: a.highestSeverity), sb = SeverityLevel(label: b.highestSeverity)
        if sa != sb { return sa > sb }
        if a.fixes.count != b.fixes.count { return a.fixes.count > b.fixes.count }
        if a.package.name != b.package.name { return a.package.name < b.package.name }
        if a.package.location != b.package.location { return a.package.location < b.package.location }
        if a.package.version != b.package.version { return a.package.version < b.package.version }
        return a.action < b.action
    }

    /// The bottom layer is the base image's; an OS package from there is fixed by rebuilding on a
    /// newer base rather than by upgrading it in a layer of one's own.
    static func origin(_ package: FindingPackage, layers: [ImageInventory.Layer]) -> String? {
        guard let index = package.layerIndex, let count = package.layerCount else { return nil }
        if index == 1 && count > 1 {
            return "introduced by layer 1 of \(count) (base image); rebuild on a newer base"
        }
        var text = "introduced by layer \(index) of \(count)"
        if let createdBy = layers.first(where: { $0.index == index })?.createdBy?.trimmingCharacters(in: .whitespaces), !createdBy.isEmpty {
            text += " (\(createdBy.count > 80 ? createdBy.prefix(77) + "…" : createdBy))"
        }
        return text
    }
}

extension AdvisoryKey {
    static func ecosystemFor(_ type: String) -> Ecosystem? {
        switch PackageType(rawValue: type) {
        case .deb: return .dpkg
        case .apk: return .apk
        case .rpm: return .rpm
        case .some(let other): return ecosystemNamespace(other)?.1
        case nil: return nil
        }
    }
}
