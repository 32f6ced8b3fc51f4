import Foundation
import Versioning

/// The Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json):
/// `{ "<source package>": { "<CVE or TEMP id>": { "description", "scope",
///   "releases": { "<codename>": { "status", "fixed_version", "urgency", "nodsa", "nodsa_reason", "repositories" } } } } }`.
///
/// Files: every `*.json` file in the directory, and a file literally named `json` (the feed's URL
/// name). The feed is one large file, so this importer allows files up to 512 MiB (not 16 MiB).
///
/// Per (package, id, release):
/// * namespace from the codename: buster -> debian:10, bullseye -> debian:11, bookworm -> debian:12,
///   trixie -> debian:13, forky -> debian:14, sid -> debian:unstable; others `debian:<codename>`.
/// * `resolved` + `fixed_version "0"` -> notAffected; `resolved` + version -> fixed
///   (`introduced 0, fixed V`).
/// * `open` (and `undetermined`) -> affected (`introduced 0`, no fix), except: urgency
///   `end-of-life` -> willNotFix; `nodsa` with `nodsa_reason` `ignored` -> willNotFix, `postponed` ->
///   fixDeferred, and plain `<no-dsa>` (no reason: "minor issue, fixed in a point release maybe")
///   -> fixDeferred.
/// * urgency -> qualitative severity (source "debian-security-tracker", `vector` = the word):
///   `unimportant` -> LOW (kept, not dropped), low/medium/high as such; `not yet assigned` and
///   `end-of-life` give no severity.
/// * One vulnerability per id (description from the first package that lists it).
public struct DebianTrackerImporter: AdvisoryImporter {
    public static let format = "debian-tracker"
    public static let maxFileBytes = 512 * 1024 * 1024
    public static let releaseVersions: [String: String] = [
        "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "sid": "unstable",
    ]

    public init() {}

    static func candidateFiles(in directory: URL) -> [URL] {
        let items = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isRegularFileKey],
                                                                   options: [.skipsHiddenFiles])) ?? []
        return items.filter {
            ($0.pathExtension.lowercased() == "json" || $0.lastPathComponent == "json") && !FileWalker.isAuxiliaryFile($0)
        }.sorted { $0.path < $1.path }
    }

    public static func recognizes(directory: URL) -> Bool {
        candidateFiles(in: directory).contains(where: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard file.pathExtension.lowercased() == "json" || file.lastPathComponent == "json",
              !head.isEmpty else { return false }
        let trimmed = head.drop { $0.isWhitespace }
        guard trimmed.first == "{", head.contains("\"releases\"") else { return false }
        return head.range(of: #""(CVE-\d{4}-\d+|TEMP-[0-9A-Fa-f-]+)"\s*:\s*\{"#, options: .regularExpression) != nil
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try runImport(sink) { sink in
            let session = ImportSession(format: Self.format, root: directory, sink: sink)
            for file in Self.candidateFiles(in: directory) where Self.recognizes(file: file) {
                do {
                    let doc = try DocLoader.load(file, maxBytes: Self.maxFileBytes)
                    try Self.parse(doc, file: file, session: session)
                } catch let e as DocumentError {
                    session.skip(file, e.description)
                } catch let e as RecordError {
                    session.skip(file, e.description)
                }
            }
            return try session.finish()
        }
    }

    static func namespace(codename: String) -> String {
        "debian:" + (releaseVersions[codename.lowercased()] ?? codename.lowercased())
    }

    static func parse(_ doc: Doc, file: URL, session: ImportSession) throws {
        guard let packages = doc.object else { throw RecordError("top level is not an object") }
        // Collect per id first: the same CVE appears under several source packages.
        var vulns: [String: Vulnerability] = [:]
        var order: [String] = []
        var affected: [AffectedPackage] = []
        for (package, entries) in packages {
            guard let ids = entries.object else { session.skip(file, "\(package): not an object"); continue }
            for (id, entry) in ids {
                guard entry.object != nil else { session.skip(file, "\(package)/\(id): not an object"); continue }
                let releases = entry["releases"]?.object ?? []
                var severities: [Severity] = []
                for (codename, rel) in releases {
                    guard rel.object != nil, let status = rel["status"]?.nonEmptyString else {
                        session.skip(file, "\(package)/\(id)/\(codename): no status"); continue
                    }
                    let urgency = rel["urgency"]?.nonEmptyString ?? ""
                    if let s = Severity.qualitative(urgency.replacingOccurrences(of: "*", with: ""), source: "debian-security-tracker") {
                        severities.append(Severity(source: s.source, type: .qualitative, vector: urgency, label: s.label))
                    }
                    let fixedVersion = rel["fixed_version"]?.nonEmptyString
                    var a = AffectedPackage(vulnerabilityID: id, namespace: namespace(codename: codename), package: package,
                                            ecosystem: .dpkg, status: .affected)
                    switch status {
                    case "resolved":
                        guard let fv = fixedVersion else {
                            session.skip(file, "\(package)/\(id)/\(codename): resolved without fixed_version"); continue
                        }
                        if fv == "0" {
                            a.status = .notAffected
                        } else {
                            guard (try? VersionComparator(.dpkg).validate(fv)) != nil else {
                                session.skip(file, "\(package)/\(id)/\(codename): invalid fixed_version \(fv)"); continue
                            }
                            a.status = .fixed
                            a.ranges = [[.introduced("0"), .fixed(fv)]]
                            a.fixedVersions = [fv]
                        }
                    case "open", "undetermined":
                        a.ranges = [[.introduced("0")]]
                        if urgency == "end-of-life" {
                            a.status = .willNotFix
                        } else if rel["nodsa"] != nil {
                            switch rel["nodsa_reason"]?.nonEmptyString?.lowercased() {
                            case "ignored": a.status = .willNotFix
                            case "postponed": a.status = .fixDeferred
                            default: a.status = .fixDeferred  // plain <no-dsa>: minor, may be fixed in a point release
                            }
                        }
                    default:
                        session.skip(file, "\(package)/\(id)/\(codename): unknown status \(status)"); continue
                    }
                    affected.append(a)
                }
                if var v = vulns[id] {
                    v.severities = OSVImporter.dedupSeverities(v.severities + severities)
                    vulns[id] = v
                } else {
                    var v = Vulnerability(id: id, source: session.source)
                    v.details = entry["description"]?.nonEmptyString
                    v.severities = OSVImporter.dedupSeverities(severities)
                    if Identifiers.isCVE(id) { v.references = ["https://security-tracker.debian.org/tracker/\(id)"] }
                    vulns[id] = v
                    order.append(id)
                }
            }
        }
        for id in order { if let v = vulns[id] { try session.emit(v) } }
        for a in affected { try session.emit(a) }
    }
}
