import Foundation

/// What enrichment knows about one CVE.
public struct Enrichment: Codable, Sendable, Equatable {
    public var severities: [Severity]
    public var knownExploited: Bool
    /// CISA KEV `dateAdded`.
    public var kevDateAdded: String?
    /// CISA SSVC "Exploitation" decision point (`none`, `poc`, `active`) from vulnrichment.
    public var ssvcExploitation: String?

    public init(severities: [Severity] = [], knownExploited: Bool = false, kevDateAdded: String? = nil,
                ssvcExploitation: String? = nil) {
        self.severities = severities
        self.knownExploited = knownExploited
        self.kevDateAdded = kevDateAdded
        self.ssvcExploitation = ssvcExploitation
    }

    /// Combines two statements about the same CVE (e.g. KEV and vulnrichment).
    public func merged(with other: Enrichment) -> Enrichment {
        Enrichment(severities: OSVImporter.dedupSeverities(severities + other.severities),
                   knownExploited: knownExploited || other.knownExploited,
                   kevDateAdded: kevDateAdded ?? other.kevDateAdded,
                   ssvcExploitation: ssvcExploitation ?? other.ssvcExploitation)
    }

    /// Merges maps from several enrichment importers.
    public static func merge(_ maps: [[String: Enrichment]]) -> [String: Enrichment] {
        var out: [String: Enrichment] = [:]
        for m in maps {
            for (k, v) in m { out[k] = out[k].map { $0.merged(with: v) } ?? v }
        }
        return out
    }

    /// Applies enrichment to a vulnerability: `knownExploited` when its id or any CVE alias is
    /// known exploited; severities only when the record has none of its own.
    public static func apply(_ map: [String: Enrichment], to v: inout Vulnerability) {
        let entries = v.cveIDs.compactMap { map[$0] }
        guard !entries.isEmpty else { return }
        if entries.contains(where: \.knownExploited) { v.knownExploited = true }
        if v.severities.isEmpty {
            v.severities = OSVImporter.dedupSeverities(entries.flatMap(\.severities))
        }
    }
}

/// An importer of per-CVE enrichment data.
public protocol EnrichmentImporter: DataSetImporter {
    func importEnrichment(from directory: URL) throws -> (enrichment: [String: Enrichment], report: ImportReport)
}

/// CISA Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`).
public struct CISAKEVImporter: EnrichmentImporter {
    public static let format = "cisa-kev"

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.contains(where: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard file.pathExtension.lowercased() == "json", !file.lastPathComponent.lowercased().contains("schema"),
              !head.isEmpty else { return false }
        return head.contains("\"catalogVersion\"") && head.contains("\"vulnerabilities\"")
    }

    public func importEnrichment(from directory: URL) throws -> (enrichment: [String: Enrichment], report: ImportReport) {
        var report = ImportReport(format: Self.format, source: DataSetNaming.sourceName(for: directory))
        var out: [String: Enrichment] = [:]
        let files = ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter(Self.recognizes(file:)).sorted { $0.path < $1.path }
        for file in files {
            do {
                let doc = try DocLoader.load(file)
                guard let list = doc["vulnerabilities"]?.array else { throw RecordError("no vulnerabilities list") }
                for entry in list {
                    guard let raw = entry["cveID"]?.nonEmptyString else {
                        report.skipped += 1
                        if report.skippedSamples.count < 10 { report.skippedSamples.append("\(file.lastPathComponent): entry without cveID") }
                        continue
                    }
                    let id = Identifiers.normalizeAlias(raw)
                    let e = Enrichment(knownExploited: true, kevDateAdded: entry["dateAdded"]?.nonEmptyString)
                    out[id] = out[id].map { $0.merged(with: e) } ?? e
                    report.records += 1
                }
            } catch {
                report.skipped += 1
                if report.skippedSamples.count < 10 { report.skippedSamples.append("\(file.lastPathComponent): \(error)") }
            }
        }
        return (out, report)
    }
}

/// CVE JSON 5.x records (CISA vulnrichment, cvelistV5): CVSS metrics from `containers.cna.metrics`
/// and `containers.adp[].metrics` (`cvssV2_0`, `cvssV3_0`, `cvssV3_1`, `cvssV4_0`), and the SSVC
/// Exploitation decision. Severity source: "cve5:<provider short name>" (or "cve5:cna"/"cve5:adp").
public struct CVE5Importer: EnrichmentImporter {
    public static let format = "cve5"

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: ["json"], file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard file.pathExtension.lowercased() == "json", !head.isEmpty else { return false }
        return head.contains("\"cveMetadata\"") || (head.contains("\"dataType\"") && head.contains("CVE_RECORD"))
    }

    public func importEnrichment(from directory: URL) throws -> (enrichment: [String: Enrichment], report: ImportReport) {
        var report = ImportReport(format: Self.format, source: DataSetNaming.sourceName(for: directory))
        var out: [String: Enrichment] = [:]
        func skip(_ file: URL, _ reason: String) {
            report.skipped += 1
            if report.skippedSamples.count < 10 { report.skippedSamples.append("\(file.lastPathComponent): \(reason)") }
        }
        let files = FileWalker.files(under: directory, extensions: ["json"]).filter { !FileWalker.isAuxiliaryFile($0) }
        for chunk in ParallelMap.chunks(files, size: 512) {
            let results = ParallelMap.map(chunk) { file -> Result<(String, Enrichment), RecordError> in
                do { return .success(try Self.parse(DocLoader.load(file))) } catch {
                    return .failure(RecordError(String(describing: error)))
                }
            }
            for (file, result) in zip(chunk, results) {
                switch result {
                case .success(let (id, e)):
                    out[id] = out[id].map { $0.merged(with: e) } ?? e
                    report.records += 1
                case .failure(let e):
                    skip(file, e.description)
                }
            }
        }
        return (out, report)
    }

    static func parse(_ doc: Doc) throws -> (String, Enrichment) {
        guard let raw = doc["cveMetadata"]?["cveId"]?.nonEmptyString else { throw RecordError("missing cveMetadata.cveId") }
        let id = Identifiers.normalizeAlias(raw)
        var e = Enrichment()
        var containers: [(String, Doc)] = []
        if let cna = doc["containers"]?["cna"] {
            containers.append((cna["providerMetadata"]?["shortName"]?.nonEmptyString ?? "cna", cna))
        }
        for adp in doc["containers"]?["adp"]?.array ?? [] {
            containers.append((adp["providerMetadata"]?["shortName"]?.nonEmptyString ?? "adp", adp))
        }
        for (provider, c) in containers {
            let source = "cve5:\(provider)"
            for m in c["metrics"]?.array ?? [] {
                for (key, type) in [("cvssV2_0", SeverityType.cvssV2), ("cvssV3_0", .cvssV3), ("cvssV3_1", .cvssV3), ("cvssV4_0", .cvssV4)] {
                    guard let metric = m[key] else { continue }
                    let given = metric["baseScore"]?.double
                    if let vector = metric["vectorString"]?.nonEmptyString,
                       var s = Severity.cvss(vector: vector, source: source, givenScore: given) {
                        if type == .cvssV2 || type == .cvssV4, let given { s.score = given }
                        if let label = metric["baseSeverity"]?.nonEmptyString.flatMap(Severity.normalizedLabel) { s.label = label }
                        e.severities.append(s)
                    } else if let given {
                        e.severities.append(.score(given, type: type, source: source))
                    }
                }
                if let other = m["other"], other["type"]?.nonEmptyString?.lowercased() == "ssvc" {
                    for option in other["content"]?["options"]?.array ?? [] {
                        if let x = option["Exploitation"]?.nonEmptyString { e.ssvcExploitation = x.lowercased() }
                    }
                }
            }
        }
        e.severities = OSVImporter.dedupSeverities(e.severities)
        return (id, e)
    }
}
