import Foundation
import Versioning

/// FriendsOfPHP/security-advisories YAML (`<vendor>/<package>/<CVE-id or slug>.yaml`).
///
/// * Package key: `reference: composer://vendor/package` -> `vendor/package` (namespace packagist).
/// * Each branch (an AND of constraints) becomes one `vulnerableConstraints` entry joined with
///   commas, e.g. `>=7.4.0,<7.4.12`; branches are ORed.
/// * `fixedVersions`: the `<X` upper bounds of the branches.
/// * Vulnerability id: the CVE when present, else `FRIENDSOFPHP-<vendor>/<package>/<file stem>`.
/// * `published`: the earliest branch `time` as written. No severities in this data set.
/// * `composer-repository: false` records are imported like the others.
public struct FriendsOfPHPImporter: AdvisoryImporter {
    public static let format = "friendsofphp"
    static let extensions: Set<String> = ["yaml", "yml"]

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard FileWalker.isCandidate(file, head: head, extensions: extensions) else { return false }
        let keys = FileWalker.yamlTopLevelKeys(head)
        return keys.contains("reference") && keys.contains("branches") && head.contains("composer://")
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try importOneRecordPerFile(from: directory, format: Self.format, extensions: Self.extensions, into: sink, parse: Self.parse)
    }

    static func parse(_ doc: Doc, fileStem: String, source: String) throws -> (Vulnerability, AffectedPackage) {
        guard doc.object != nil else { throw RecordError("not a mapping") }
        guard let reference = doc["reference"]?.nonEmptyString, reference.hasPrefix("composer://") else {
            throw RecordError("missing composer:// reference")
        }
        let package = String(reference.dropFirst("composer://".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        guard package.contains("/") else { throw RecordError("bad package reference \(reference)") }
        guard let branches = doc["branches"]?.object, !branches.isEmpty else { throw RecordError("no branches") }

        let cve = doc["cve"]?.nonEmptyString.map(Identifiers.normalizeAlias)
        let id = cve ?? "FRIENDSOFPHP-\(package)/\(fileStem)"
        var constraints: [String] = []
        var fixed: [String] = []
        var times: [String] = []
        for (name, branch) in branches {
            guard let versionsDoc = branch["versions"] else { throw RecordError("branch \(name) has no versions") }
            let parts: [String]
            switch versionsDoc {
            case .array(let items): parts = items.compactMap(\.nonEmptyString)
            case .string(let s): parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            default: throw RecordError("branch \(name) versions has wrong type")
            }
            guard !parts.isEmpty else { throw RecordError("branch \(name) has empty versions") }
            constraints.append(parts.joined(separator: ","))
            for p in parts where p.hasPrefix("<") && !p.hasPrefix("<=") {
                let f = p.dropFirst().trimmingCharacters(in: .whitespaces)
                if !f.isEmpty { fixed.append(f) }
            }
            if let t = branch["time"]?.nonEmptyString { times.append(t) }
        }
        var v = Vulnerability(id: id, aliases: [], source: source)
        v.summary = doc["title"]?.nonEmptyString
        v.references = [doc["link"]?.nonEmptyString].compactMap { $0 }
        v.published = times.min()
        let a = AffectedPackage(vulnerabilityID: id, namespace: "packagist", package: package, ecosystem: .composer,
                                status: fixed.isEmpty ? .affected : .fixed,
                                vulnerableConstraints: constraints, fixedVersions: Identifiers.dedup(fixed))
        return (v, a)
    }
}
