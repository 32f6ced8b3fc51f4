import Foundation
import Versioning

/// rubysec/ruby-advisory-db YAML (`gems/<gem>/<id>.yml`, `rubies/<engine>/<id>.yml`).
///
/// * Vulnerability id: `CVE-<cve>` when `cve` is set, else `GHSA-<ghsa>`, else the file name
///   (e.g. `OSVDB-…`); the other ids become aliases. A second file with the same id (the same CVE
///   filed for two gems) adds only its affected package.
/// * `patched_versions` + `unaffected_versions` -> `safeConstraints` (RubyGems requirements);
///   no positive constraints, so every version matching none of them is affected.
/// * `fixedVersions`: the lower bound of each patched requirement (the highest one in a compound
///   requirement such as `~> 5.2.4, >= 5.2.4.3`).
/// * `cvss_v2`/`cvss_v3`/`cvss_v4` scores -> severities with labels from the score bands.
/// * `rubies/` (interpreters) are imported under namespace `ruby-interpreter`, package = engine
///   (`ruby`, `jruby`, `mruby`, `mrubyc`, `rbx`), compared as RubyGems versions.
public struct RubySecImporter: AdvisoryImporter {
    public static let format = "rubysec"
    public static let interpreterNamespace = "ruby-interpreter"
    static let extensions: Set<String> = ["yml", "yaml"]

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard FileWalker.isCandidate(file, head: head, extensions: extensions) else { return false }
        let keys = FileWalker.yamlTopLevelKeys(head)
        return (keys.contains("gem") || keys.contains("engine"))
            && (keys.contains("patched_versions") || keys.contains("unaffected_versions") || keys.contains("date")
                || keys.contains("cve") || keys.contains("ghsa"))
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try importOneRecordPerFile(from: directory, format: Self.format, extensions: Self.extensions, into: sink, parse: Self.parse)
    }

    static func parse(_ doc: Doc, fileStem: String, source: String) throws -> (Vulnerability, AffectedPackage) {
        guard doc.object != nil else { throw RecordError("not a mapping") }
        let namespace: String
        let package: String
        if let gem = doc["gem"]?.nonEmptyString {
            namespace = "rubygems"; package = gem
        } else if let engine = doc["engine"]?.nonEmptyString {
            namespace = interpreterNamespace; package = engine
        } else {
            throw RecordError("neither gem nor engine")
        }
        let cve = doc["cve"]?.nonEmptyString.map { Identifiers.prefixed($0, "CVE-") }
        let ghsa = doc["ghsa"]?.nonEmptyString.map { Identifiers.prefixed($0, "GHSA-") }
        let osvdb = doc["osvdb"]?.nonEmptyString.map { "OSVDB-" + $0 }
        let id = cve ?? ghsa ?? fileStem
        let aliases = Identifiers.dedup([cve, ghsa, osvdb, fileStem].compactMap { $0 }.filter { $0 != id })

        var v = Vulnerability(id: id, aliases: aliases, source: source)
        v.summary = doc["title"]?.nonEmptyString
        v.details = doc["description"]?.nonEmptyString
        v.published = doc["date"]?.nonEmptyString
        v.references = Identifiers.dedup(([doc["url"]?.nonEmptyString].compactMap { $0 }) + (doc["related"]?["url"]?.stringList ?? []))
        var sev: [Severity] = []
        for (key, type) in [("cvss_v2", SeverityType.cvssV2), ("cvss_v3", .cvssV3), ("cvss_v4", .cvssV4)] {
            guard let field = doc[key], !field.isNull else { continue }
            guard let score = field.double, (0...10).contains(score) else { throw RecordError("\(key) is not a score") }
            sev.append(.score(score, type: type, source: source))
        }
        v.severities = sev

        let patched = try requirementList(doc["patched_versions"], "patched_versions")
        let unaffected = try requirementList(doc["unaffected_versions"], "unaffected_versions")
        var fixed: [String] = []
        for p in patched {
            if let f = lowerBound(of: p) { fixed.append(f) }
        }
        let a = AffectedPackage(vulnerabilityID: id, namespace: namespace, package: package, ecosystem: .rubygems,
                                status: patched.isEmpty ? .affected : .fixed,
                                safeConstraints: patched + unaffected, fixedVersions: Identifiers.dedup(fixed))
        return (v, a)
    }

    private static func requirementList(_ d: Doc?, _ key: String) throws -> [String] {
        guard let d, !d.isNull else { return [] }
        if d.object != nil { throw RecordError("\(key) is a mapping") }
        return d.stringList
    }

    /// The version a requirement starts at: `~> 3.1.21` -> 3.1.21, `>= 5.2.4.3` -> 5.2.4.3; in a
    /// compound requirement the highest such bound. Nil for requirements without a lower bound.
    static func lowerBound(of requirement: String) -> String? {
        var best: String?
        for piece in requirement.split(separator: ",") {
            let t = piece.trimmingCharacters(in: .whitespaces)
            var op = "="
            var rest = Substring(t)
            for candidate in ["~>", ">=", "<=", "!=", "=", ">", "<"] where rest.hasPrefix(candidate) {
                op = candidate; rest = rest.dropFirst(candidate.count); break
            }
            guard ["~>", ">=", "=", ">"].contains(op) else { continue }
            let version = rest.trimmingCharacters(in: .whitespaces)
            guard !version.isEmpty else { continue }
            if let b = best {
                if (try? compare(version, b, in: .rubygems)) == .greater { best = version }
            } else {
                best = version
            }
        }
        return best
    }
}
