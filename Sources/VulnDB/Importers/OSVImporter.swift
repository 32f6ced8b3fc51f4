import Foundation
import Versioning

/// OSV records, one per file, in JSON or YAML (pypa, Go vulndb, RustSec `osv` branch, PSF,
/// derived Debian 12 data, and any other OSV data set).
///
/// * `GIT` ranges are skipped and counted (`gitRangesSkipped`); an `affected` entry left without
///   ranges or versions is dropped (CPython records therefore import with no affected packages).
/// * Affected entries of ecosystems the Versioning module cannot compare are dropped with a sample.
/// * `withdrawn` records are imported with `withdrawn` set.
/// * RustSec `affected[].database_specific.informational` sets `Vulnerability.informational`.
/// * Go's `0001-01-01T00:00:00Z` placeholder dates are replaced from a `*.commit-dates.tsv` file
///   found in the data-set directory or up to two levels above it.
/// * `upstream` ids (OSV 1.6) are folded into `aliases`.
public struct OSVImporter: AdvisoryImporter {
    public static let format = "osv"
    static let extensions: Set<String> = ["json", "yaml", "yml"]
    static let goPlaceholderDate = "0001-01-01T00:00:00Z"

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard !FileWalker.isAuxiliaryFile(file), !head.isEmpty else { return false }
        switch file.pathExtension.lowercased() {
        case "json":
            return head.contains("\"id\"") && (head.contains("\"affected\"") || head.contains("\"schema_version\"")
                                                || head.contains("\"modified\""))
                && !head.contains("\"cveMetadata\"") && !head.contains("\"containers\"") && !head.contains("CVE_RECORD")
        case "yaml", "yml":
            let keys = FileWalker.yamlTopLevelKeys(head)
            return keys.contains("id") && (keys.contains("affected") || keys.contains("modified"))
        default: return false
        }
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try runImport(sink) { sink in
            let session = ImportSession(format: Self.format, root: directory, sink: sink)
            let dates = Self.loadCommitDates(near: directory)
            let files = FileWalker.files(under: directory, extensions: Self.extensions).filter { !FileWalker.isAuxiliaryFile($0) }
            let source = session.source
            // Parse in parallel chunks (reading and YAML/JSON parsing dominate), emit in file order.
            for chunk in ParallelMap.chunks(files, size: 512) {
                let results = ParallelMap.map(chunk) { file -> Result<Parsed, RecordError> in
                    let doc: Doc
                    do { doc = try DocLoader.load(file) } catch { return .failure(RecordError(String(describing: error))) }
                    do {
                        let (v, a, d) = try Self.parse(doc, source: source, commitDates: dates)
                        return .success(Parsed(vulnerability: v, affected: a, dropped: d))
                    } catch let e as RecordError {
                        return .failure(e)
                    } catch {
                        return .failure(RecordError(String(describing: error)))
                    }
                }
                for (file, result) in zip(chunk, results) {
                    switch result {
                    case .failure(let e):
                        session.skip(file, e.description)
                    case .success(let p):
                        session.report.gitRangesSkipped += p.dropped.gitRanges
                        for reason in p.dropped.droppedReasons { session.skip(file, reason) }
                        guard try session.emit(p.vulnerability) else { session.skip(file, "duplicate id \(p.vulnerability.id)"); continue }
                        for a in p.affected { try session.emit(a) }
                    }
                }
            }
            return try session.finish()
        }
    }

    struct Parsed: Sendable {
        var vulnerability: Vulnerability
        var affected: [AffectedPackage]
        var dropped: Dropped
    }

    struct Dropped: Sendable {
        var gitRanges = 0
        var droppedReasons: [String] = []
    }

    /// Maps one OSV document to the model.
    static func parse(_ doc: Doc, source: String, commitDates: [String: CommitDates] = [:])
        throws -> (Vulnerability, [AffectedPackage], Dropped) {
        guard doc.object != nil else { throw RecordError("not an OSV object") }
        guard let id = doc["id"]?.nonEmptyString else { throw RecordError("missing id") }
        if let a = doc["affected"], !a.isNull, a.array == nil { throw RecordError("affected is not a list") }
        var aliases = (doc["aliases"]?.stringList ?? []) + (doc["upstream"]?.stringList ?? [])
        aliases = Identifiers.dedup(aliases.map(Identifiers.normalizeAlias)).filter { $0 != id }
        var v = Vulnerability(id: id, aliases: aliases, source: source)
        v.summary = doc["summary"]?.nonEmptyString
        v.details = doc["details"]?.nonEmptyString
        v.published = doc["published"]?.nonEmptyString
        v.modified = doc["modified"]?.nonEmptyString
        v.withdrawn = doc["withdrawn"]?.nonEmptyString
        if let dates = commitDates[id] {
            if v.published == nil || v.published == goPlaceholderDate { v.published = dates.0 }
            if v.modified == nil || v.modified == goPlaceholderDate { v.modified = dates.1 }
        }
        v.references = Identifiers.dedup((doc["references"]?.array ?? []).compactMap { $0["url"]?.nonEmptyString })

        var severities: [Severity] = []
        // Top-level `severity` and the per-package `affected[].severity` of OSV 1.5+.
        let severityLists = [doc["severity"]] + (doc["affected"]?.array ?? []).map { $0["severity"] }
        for s in severityLists.flatMap({ $0?.array ?? [] }) {
            guard let type = s["type"]?.nonEmptyString, let score = s["score"]?.nonEmptyString else { continue }
            if type.hasPrefix("CVSS_") {
                if let sev = Severity.cvss(vector: score, source: source) { severities.append(sev) }
            } else if let sev = Severity.qualitative(score, source: source) {
                severities.append(sev)
            }
        }
        if let label = doc["database_specific"]?["severity"]?.nonEmptyString,
           let sev = Severity.qualitative(label, source: source) {
            severities.append(sev)
        }

        var affected: [AffectedPackage] = []
        var dropped = Dropped()
        for entry in doc["affected"]?.array ?? [] {
            if let vector = entry["database_specific"]?["cvss"]?.nonEmptyString,
               let sev = Severity.cvss(vector: vector, source: source) {
                severities.append(sev)
            }
            if let word = entry["ecosystem_specific"]?["severity"]?.nonEmptyString,
               let sev = Severity.qualitative(word, source: source) {
                severities.append(sev)
            }
            if let info = entry["database_specific"]?["informational"]?.nonEmptyString { v.informational = info }

            var ranges: [[OSVEvent]] = []
            for r in entry["ranges"]?.array ?? [] {
                let type = r["type"]?.nonEmptyString?.uppercased() ?? ""
                if type == "GIT" { dropped.gitRanges += 1; continue }
                guard type == "SEMVER" || type == "ECOSYSTEM" else {
                    dropped.droppedReasons.append("\(id): unknown range type \(type)"); continue
                }
                var events: [OSVEvent] = []
                for e in r["events"]?.array ?? [] {
                    if let x = e["introduced"]?.nonEmptyString { events.append(.introduced(x)) }
                    else if let x = e["fixed"]?.nonEmptyString { events.append(.fixed(x)) }
                    else if let x = e["last_affected"]?.nonEmptyString { events.append(.lastAffected(x)) }
                    else if let x = e["limit"]?.nonEmptyString { events.append(.limit(x)) }
                }
                if !events.isEmpty { ranges.append(events) }
            }
            let versions = entry["versions"]?.stringList ?? []
            guard let pkg = entry["package"], let ecoName = pkg["ecosystem"]?.nonEmptyString,
                  let name = pkg["name"]?.nonEmptyString else {
                continue  // e.g. CPython: GIT ranges only, no package
            }
            if ranges.isEmpty && versions.isEmpty {
                // Nothing left to match on once GIT ranges are gone; a record with no ranges at all
                // means "every version" in OSV, but only when it had none to begin with.
                if !(entry["ranges"]?.array ?? []).isEmpty { continue }
            }
            guard let (namespace, ecosystem) = Identifiers.namespace(forOSVEcosystem: ecoName) else {
                dropped.droppedReasons.append("\(id): unsupported ecosystem \(ecoName)")
                continue
            }
            let fixed = Identifiers.dedup(ranges.flatMap { $0 }.compactMap { if case .fixed(let f) = $0 { return f } else { return nil } })
            affected.append(AffectedPackage(
                vulnerabilityID: id, namespace: namespace,
                package: Identifiers.packageKey(name, namespace: namespace), ecosystem: ecosystem,
                status: fixed.isEmpty ? .affected : .fixed, ranges: ranges, versions: versions,
                fixedVersions: fixed))
        }
        v.severities = dedupSeverities(severities)
        return (v, affected, dropped)
    }

    static func dedupSeverities(_ s: [Severity]) -> [Severity] {
        var seen = Set<Severity>()
        return s.filter { seen.insert($0).inserted }
    }

    /// Reads `id \t first \t last` lines from a `*.commit-dates.tsv` beside the data set.
    typealias CommitDates = (String, String)

    static func loadCommitDates(near directory: URL) -> [String: CommitDates] {
        let fm = FileManager.default
        var dir = directory.standardizedFileURL
        for _ in 0..<3 {
            if let items = try? fm.contentsOfDirectory(atPath: dir.path) {
                for name in items.sorted() where name.hasSuffix(".commit-dates.tsv") {
                    let url = dir.appendingPathComponent(name)
                    guard let data = try? DocLoader.readData(url),
                          let text = String(data: data, encoding: .utf8) else { continue }
                    var out: [String: CommitDates] = [:]
                    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                        let f = line.split(separator: "\t").map { String($0).trimmingCharacters(in: .whitespaces) }
                        if f.count >= 3 { out[f[0]] = (f[1], f[2]) }
                    }
                    return out
                }
            }
            dir = dir.deletingLastPathComponent()
        }
        return [:]
    }
}
