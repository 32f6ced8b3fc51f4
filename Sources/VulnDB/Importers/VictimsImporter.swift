import Foundation
import Versioning

/// victims-cve-db Java YAML (`database/java/<year>/<n>.yaml`), Maven artifacts.
///
/// Victims range syntax, translated to Maven interval notation for `vulnerableConstraints`
/// (`version`) and `safeConstraints` (`fixedin`):
/// * `<=X` -> `(,X]`, `<X` -> `(,X)`, `>=X` -> `[X,)`, `>X` -> `(X,)`, `==X` -> `[X]`
/// * with a series `Y` (`<=X,Y`: "≤ X within the series starting Y"): `<=X,Y` -> `[Y,X]`,
///   `<X,Y` -> `[Y,X)`, `>=X,Y` -> `[X,Y')`, `>X,Y` -> `(X,Y')` where `Y'` is `Y` with its last
///   numeric part incremented (series `2.3` ends before `2.4`). When `X` is itself a pre-release of
///   `Y` (`<=3.0.0.M2,3.0`) the series start is written `Y-alpha` so that the interval is not empty;
///   otherwise pre-releases of `Y` itself (which Maven orders below `Y`) fall outside the series.
/// * Id: `CVE-<cve>`; `fixedVersions`: the lower bounds of the `fixedin` entries.
public struct VictimsImporter: AdvisoryImporter {
    public static let format = "victims"
    static let extensions: Set<String> = ["yaml", "yml"]

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard FileWalker.isCandidate(file, head: head, extensions: extensions) else { return false }
        let keys = FileWalker.yamlTopLevelKeys(head)
        return keys.contains("affected") && keys.contains("cve") && head.contains("groupId") && head.contains("artifactId")
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try runImport(sink) { sink in
            let session = ImportSession(format: Self.format, root: directory, sink: sink)
            for file in FileWalker.files(under: directory, extensions: Self.extensions)
            where !FileWalker.isAuxiliaryFile(file) {
                do {
                    let doc = try DocLoader.load(file)
                    let (v, affected) = try Self.parse(doc, source: session.source)
                    try session.emit(v)
                    for a in affected { try session.emit(a) }
                } catch {
                    try session.handle(error, file)
                }
            }
            return try session.finish()
        }
    }

    static func parse(_ doc: Doc, source: String) throws -> (Vulnerability, [AffectedPackage]) {
        guard doc.object != nil else { throw RecordError("not a mapping") }
        guard let cve = doc["cve"]?.nonEmptyString else { throw RecordError("missing cve") }
        let id = Identifiers.prefixed(cve, "CVE-")
        var v = Vulnerability(id: id, source: source)
        v.summary = doc["title"]?.nonEmptyString
        v.details = doc["description"]?.nonEmptyString
        v.references = doc["references"]?.stringList ?? []
        if let s = doc["cvss_v2"]?.double { v.severities = [.score(s, type: .cvssV2, source: source)] }
        if let s = doc["cvss_v3"]?.double { v.severities.append(.score(s, type: .cvssV3, source: source)) }
        guard let entries = doc["affected"]?.array, !entries.isEmpty else { throw RecordError("no affected list") }
        var out: [AffectedPackage] = []
        for e in entries {
            guard let g = e["groupId"]?.nonEmptyString, let art = e["artifactId"]?.nonEmptyString else {
                throw RecordError("affected entry without groupId/artifactId")
            }
            var vulnerable: [String] = []
            for raw in e["version"]?.stringList ?? [] {
                guard let r = mavenRange(fromVictims: raw) else { throw RecordError("bad victims range \(raw)") }
                vulnerable.append(r)
            }
            var safe: [String] = []
            var fixed: [String] = []
            for raw in e["fixedin"]?.stringList ?? [] {
                guard let r = mavenRange(fromVictims: raw) else { throw RecordError("bad victims range \(raw)") }
                safe.append(r)
                if let f = fixedVersion(fromVictims: raw) { fixed.append(f) }
            }
            guard !vulnerable.isEmpty else { throw RecordError("\(g):\(art) has no version ranges") }
            out.append(AffectedPackage(vulnerabilityID: id, namespace: "maven", package: "\(g):\(art)", ecosystem: .maven,
                                       status: fixed.isEmpty ? .affected : .fixed,
                                       vulnerableConstraints: vulnerable, safeConstraints: safe,
                                       fixedVersions: Identifiers.dedup(fixed)))
        }
        return (v, out)
    }

    private static func split(_ raw: String) -> (op: String, version: String, series: String?)? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        var op = ""
        var rest = Substring(s)
        for candidate in ["<=", ">=", "==", "<", ">", "="] where rest.hasPrefix(candidate) {
            op = candidate; rest = rest.dropFirst(candidate.count); break
        }
        guard !op.isEmpty else { return nil }
        let parts = rest.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let version = parts.first, !version.isEmpty, parts.count <= 2 else { return nil }
        let series = parts.count == 2 && !parts[1].isEmpty ? parts[1] : nil
        return (op == "=" ? "==" : op, version, series)
    }

    /// Translates one victims range to Maven interval notation; nil when malformed.
    public static func mavenRange(fromVictims raw: String) -> String? {
        guard let (op, x, series) = split(raw) else { return nil }
        guard (try? VersionComparator(.maven).validate(x)) != nil else { return nil }
        if op == "==" { return "[\(x)]" }
        guard let y = series else {
            switch op {
            case "<=": return "(,\(x)]"
            case "<": return "(,\(x))"
            case ">=": return "[\(x),)"
            case ">": return "(\(x),)"
            default: return nil
            }
        }
        // The series starts at Y; when X is a pre-release of Y itself (`<=3.0.0.M2,3.0`), Maven orders
        // X below Y, so the series start becomes `Y-alpha` (below every Maven pre-release of Y).
        var start = y
        if (try? compare(y, x, in: .maven)) == .greater { start = y + "-alpha" }
        switch op {
        case "<=": return "[\(start),\(x)]"
        case "<": return "[\(start),\(x))"
        case ">=": return bump(y).map { "[\(x),\($0))" }
        case ">": return bump(y).map { "(\(x),\($0))" }
        default: return nil
        }
    }

    static func fixedVersion(fromVictims raw: String) -> String? {
        guard let (op, x, _) = split(raw), op == ">=" || op == "==" else { return nil }
        return x
    }

    /// The first version after a series: `2.3` -> `2.4`, `2` -> `3`; for series that do not end in
    /// a number (`2.9.1-jbossas-`, `1.9.redhat`) the last digit run is incremented and the rest cut
    /// (`2.9.2`, `1.10`). Nil when the series has no digits.
    static func bump(_ series: String) -> String? {
        let chars = Array(series)
        guard let end = chars.lastIndex(where: \.isASCIIDigit) else { return nil }
        var start = end
        while start > 0, chars[start - 1].isASCIIDigit { start -= 1 }
        guard let n = Int(String(chars[start...end])), n < Int.max else { return nil }
        return String(chars[..<start]) + String(n + 1)
    }
}
