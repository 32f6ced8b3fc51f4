import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Amazon Linux security advisories (ALAS) in the yum `updateinfo.xml` form that the Amazon
/// Linux 2 and 2023 repositories publish (`repodata/…-updateinfo.xml.gz`, stored decompressed).
///
/// * One vulnerability per `<update type="security">`: id = the ALAS id (`ALAS2-2023-2001`,
///   `ALAS2023-2024-001`), aliases = its `<reference type="cve">` ids, severity = `<severity>`
///   (Critical, Important → HIGH, Medium, Low; source `amazon-linux`), published = `<issued>`.
///   The CVEs stay aliases rather than becoming records of their own: a CVE record is shared by
///   every distribution in the database, and Amazon's rating is Amazon's.
/// * Namespace from the id, as Amazon numbers them: `ALAS2023-` → `amazon:2023`, `ALAS2022-` →
///   `amazon:2022`, `ALAS2` (also the Extras series, `ALAS2KERNEL-5.10-…`, `ALAS2ECS-…`) →
///   `amazon:2`, `ALAS-` → `amazon:1`. Other ids are skipped with a counted warning.
/// * Per `<package>` (the binary name the rpm database holds; the `src` entry names the source
///   package): range `introduced 0, fixed [EPOCH:]VERSION-RELEASE`, status fixed. Bug-fix and
///   enhancement updates are not advisories: counted in `ignored`.
public struct AmazonLinuxImporter: AdvisoryImporter {
    public static let format = "amazon-alas"
    static let extensions: Set<String> = ["xml"]

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard FileWalker.isCandidate(file, head: head, extensions: extensions) else { return false }
        return head.contains("<updates") && head.contains("<update") && head.contains("ALAS")
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try importEachFile(from: directory, format: Self.format, extensions: Self.extensions, where: Self.recognizes(file:),
                           into: sink) { file, session in
            try Self.emit(try UpdateInfoReader.read(Data(contentsOf: file)), file: file, session: session)
        }
    }

    static func emit(_ updates: [UpdateInfoReader.Update], file: URL, session: ImportSession) throws {
        for update in updates {
            guard update.type == "security" else { session.report.ignored += 1; continue }
            guard let id = update.id, !id.isEmpty else { session.skip(file, "update without an id"); continue }
            guard let namespace = namespace(of: id) else { session.skip(file, "\(id): not an Amazon Linux advisory id"); continue }
            var fixes: [(name: String, fixed: String)] = []
            for package in update.packages {
                guard let name = package.name, !name.isEmpty, let version = package.version, !version.isEmpty else { continue }
                let fixed = rpmVersion(epoch: package.epoch, version: version, release: package.release)
                if !fixes.contains(where: { $0.name == name && $0.fixed == fixed }) { fixes.append((name, fixed)) }
            }
            guard !fixes.isEmpty else { session.skip(file, "\(id): no package with a name and a version"); continue }
            guard !session.hasEmitted(id) else { continue }  // the same advisory in a second file
            var vulnerability = Vulnerability(id: id, aliases: Identifiers.dedup(update.cves.filter(Identifiers.isCVE)),
                                              source: session.source)
            vulnerability.summary = update.title
            vulnerability.details = update.description
            vulnerability.published = update.issued
            vulnerability.modified = update.updated
            vulnerability.references = update.references
            if let word = update.severity, let severity = Severity.qualitative(word, source: "amazon-linux") {
                vulnerability.severities = [severity]
            }
            try session.emit(vulnerability)
            for fix in fixes {
                try session.emit(AffectedPackage(vulnerabilityID: id, namespace: namespace, package: fix.name, ecosystem: .rpm,
                                                 status: .fixed, ranges: [[.introduced("0"), .fixed(fix.fixed)]],
                                                 fixedVersions: [fix.fixed]))
            }
        }
    }

    /// `amazon:RELEASE` for an ALAS id, or nil.
    static func namespace(of id: String) -> String? {
        let upper = id.uppercased()
        guard upper.hasPrefix("ALAS") else { return nil }
        let rest = upper.dropFirst(4)
        if rest.hasPrefix("2023") { return "amazon:2023" }
        if rest.hasPrefix("2022") { return "amazon:2022" }
        if rest.hasPrefix("2") { return "amazon:2" }
        if rest.hasPrefix("-") { return "amazon:1" }
        return nil
    }

    /// `EPOCH:VERSION-RELEASE` as rpm writes it, the epoch left out when it is 0 or absent.
    static func rpmVersion(epoch: String?, version: String, release: String?) -> String {
        var text = version
        if let release, !release.isEmpty { text += "-" + release }
        if let epoch, !epoch.isEmpty, epoch != "0" { text = epoch + ":" + text }
        return text
    }
}

/// A reader for yum's `updateinfo.xml` (the parts advisories need), on Foundation's XML parser
/// with external entities off. Malformed XML is an error for the whole file.
enum UpdateInfoReader {
    struct Package {
        var name: String?
        var epoch: String?
        var version: String?
        var release: String?
        var arch: String?
    }

    struct Update {
        var type: String?
        var id: String?
        var title: String?
        var severity: String?
        var description: String?
        var issued: String?
        var updated: String?
        var cves: [String] = []
        var references: [String] = []
        var packages: [Package] = []
    }

    static func read(_ data: Data) throws -> [Update] {
        let delegate = Delegate()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse() else {
            let line = parser.lineNumber
            throw RecordError("not well-formed XML (line \(line)): \(parser.parserError.map { "\($0.localizedDescription)" } ?? "parse failed")")
        }
        // libxml2 accepts a document that simply stops; one that never closes <updates> is cut off.
        guard delegate.sawUpdates else { throw RecordError("no <updates> element") }
        guard delegate.closedUpdates else { throw RecordError("the document ends before </updates>: truncated") }
        return delegate.updates
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        /// The elements of an update whose text is kept.
        static let textElements: Set<String> = ["id", "title", "severity", "description"]

        var updates: [Update] = []
        var sawUpdates = false
        var closedUpdates = false
        private var current: Update?
        private var text = ""
        private var collecting = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch name {
            case "updates":
                sawUpdates = true
            case "update":
                current = Update(type: attributes["type"]?.lowercased())
            case _ where Self.textElements.contains(name):
                text = ""
                collecting = current != nil
            case "issued":
                current?.issued = attributes["date"]
            case "updated":
                current?.updated = attributes["date"]
            case "reference":
                if let href = attributes["href"], !href.isEmpty { current?.references.append(href) }
                if attributes["type"]?.lowercased() == "cve" {
                    if let id = attributes["id"] ?? attributes["title"], !id.isEmpty { current?.cves.append(id.uppercased()) }
                }
            case "package":
                current?.packages.append(Package(name: attributes["name"], epoch: attributes["epoch"], version: attributes["version"],
                                                 release: attributes["release"], arch: attributes["arch"]))
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if collecting { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            if collecting { text += String(decoding: block, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch name {
            case "updates":
                closedUpdates = true
            case "update":
                if let current { updates.append(current) }
                current = nil
            case _ where collecting && Self.textElements.contains(name):
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                switch name {
                case "id": current?.id = value
                case "title": current?.title = value
                case "severity": current?.severity = value
                default: current?.description = value
                }
                collecting = false
            default:
                break
            }
        }
    }
}
