import Foundation
import Versioning

/// nodejs/security-wg `vuln/` JSON.
///
/// * `npm/<n>.json` -> id `NSWG-ECO-<n>`, namespace npm, package `module_name` (and its lower-case
///   form when it has capitals: see `parseNPM`);
///   `vulnerable_versions` -> `vulnerableConstraints`, `patched_versions` -> `safeConstraints`
///   (npm range syntax); `fixedVersions` are the lower bounds of the patched range;
///   `cvss_vector` (score computed for v3) or else `cvss_score`.
/// * `core/<n>.json` (the Node.js runtime itself) -> id `NSWG-CORE-<n>`, namespace
///   `nodejs-runtime`, package `node`, `vulnerable`/`patched` as above, `severity` word.
/// * `deps/` (assessments of bundled dependencies, text only) is ignored and counted in `ignored`.
/// * `index.json` aggregates are never read.
public struct NodeSecurityWGImporter: AdvisoryImporter {
    public static let format = "nodejs-security-wg"
    public static let runtimeNamespace = "nodejs-runtime"

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: ["json"], file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard file.pathExtension.lowercased() == "json", !FileWalker.isAuxiliaryFile(file),
              !head.isEmpty else { return false }
        if head.contains("\"module_name\"") && head.contains("\"vulnerable_versions\"") { return true }
        if head.contains("\"vulnerable\"") && head.contains("\"patched\"") && head.contains("\"cve\"") { return true }
        // deps/ records: cve list + reason, no versions.
        return head.contains("\"cve\"") && head.contains("\"reason\"") && head.contains("\"ref\"")
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try runImport(sink) { sink in
            let session = ImportSession(format: Self.format, root: directory, sink: sink)
            for file in FileWalker.files(under: directory, extensions: ["json"]) {
                let name = file.lastPathComponent.lowercased()
                if name == "index.json" || FileWalker.isAuxiliaryFile(file) { continue }
                let stem = file.deletingPathExtension().lastPathComponent
                do {
                    let doc = try DocLoader.load(file)
                    guard doc.object != nil else { throw RecordError("not an object") }
                    if doc["module_name"] != nil {
                        let (v, affected) = try Self.parseNPM(doc, stem: stem, source: session.source)
                        try session.emit(v)
                        for a in affected { try session.emit(a) }
                    } else if doc["vulnerable"] != nil || doc["patched"] != nil {
                        let (v, a) = try Self.parseCore(doc, stem: stem, source: session.source)
                        try session.emit(v); try session.emit(a)
                    } else if doc["cve"] != nil {
                        session.report.ignored += 1  // deps/: bundled-dependency assessment, no versions
                    } else {
                        throw RecordError("unknown record shape")
                    }
                } catch {
                    try session.handle(error, file)
                }
            }
            return try session.finish()
        }
    }

    /// One record, and the package names it applies to: its `module_name`, and, when that has
    /// capitals, the name in lower case as well. npm has accepted only lower-case names for new
    /// packages since 2013, and the two such advisories in this data (`jQuery`, `Morris.js`)
    /// describe the lower-case packages (`jquery`, `morris.js`), which an exact match would never
    /// find. The exact name stays for the rare legacy package that really is mixed-case.
    static func parseNPM(_ doc: Doc, stem: String, source: String) throws -> (Vulnerability, [AffectedPackage]) {
        guard let module = doc["module_name"]?.nonEmptyString else { throw RecordError("missing module_name") }
        let idNumber = doc["id"]?.nonEmptyString ?? stem
        let id = "NSWG-ECO-\(idNumber)"
        var v = Vulnerability(id: id, aliases: Identifiers.dedup((doc["cves"]?.stringList ?? []).map(Identifiers.normalizeAlias)),
                              source: source)
        v.summary = doc["title"]?.nonEmptyString
        v.details = doc["overview"]?.nonEmptyString
        v.published = doc["publish_date"]?.nonEmptyString ?? doc["created_at"]?.nonEmptyString
        v.modified = doc["updated_at"]?.nonEmptyString
        v.references = doc["references"]?.stringList ?? []
        if let vector = doc["cvss_vector"]?.nonEmptyString,
           let s = Severity.cvss(vector: vector, source: source, givenScore: doc["cvss_score"]?.double) {
            v.severities = [s]
        } else if let score = doc["cvss_score"]?.double {
            v.severities = [.score(score, type: .cvssV3, source: source)]
        }
        guard let vulnerable = doc["vulnerable_versions"]?.nonEmptyString else {
            throw RecordError("missing vulnerable_versions")
        }
        let patched = doc["patched_versions"]?.nonEmptyString
        let names = module == module.lowercased() ? [module] : [module, module.lowercased()]
        return (v, names.map { affected(id: id, namespace: "npm", package: $0, vulnerable: vulnerable, patched: patched) })
    }

    static func parseCore(_ doc: Doc, stem: String, source: String) throws -> (Vulnerability, AffectedPackage) {
        let id = "NSWG-CORE-\(stem)"
        var v = Vulnerability(id: id, aliases: Identifiers.dedup((doc["cve"]?.stringList ?? []).map(Identifiers.normalizeAlias)),
                              source: source)
        v.summary = doc["description"]?.nonEmptyString
        v.details = doc["overview"]?.nonEmptyString
        v.references = [doc["ref"]?.nonEmptyString].compactMap { $0 }
        if let word = doc["severity"]?.nonEmptyString, let s = Severity.qualitative(word, source: source) {
            v.severities = [s]
        }
        guard let vulnerable = doc["vulnerable"]?.nonEmptyString else { throw RecordError("missing vulnerable") }
        let a = affected(id: id, namespace: runtimeNamespace, package: "node", vulnerable: vulnerable,
                         patched: doc["patched"]?.nonEmptyString)
        return (v, a)
    }

    static func affected(id: String, namespace: String, package: String, vulnerable: String, patched: String?) -> AffectedPackage {
        var safe: [String] = []
        var fixed: [String] = []
        if let p = patched, p != "<0.0.0", p != "<0.0.0-0" {
            safe = [p]
            if let r = try? VersionRange.npm(p) {
                fixed = Identifiers.dedup(r.intervals.compactMap { $0.lower?.version })
            }
        }
        return AffectedPackage(vulnerabilityID: id, namespace: namespace, package: package, ecosystem: .npm,
                               status: safe.isEmpty ? .affected : .fixed,
                               vulnerableConstraints: [vulnerable], safeConstraints: safe, fixedVersions: fixed)
    }
}
