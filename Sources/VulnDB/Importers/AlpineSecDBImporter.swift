import Foundation
import Versioning

/// Alpine secdb YAML or JSON (`v3.N/{main,community}.yaml`; the same shape Alpine publishes as
/// JSON, and Wolfi and Chainguard publish per repository, e.g. `packages.wolfi.dev/os/security.json`).
///
/// * Namespace `alpine:3.N` from `distroversion` (`v3.11` -> `alpine:3.11`); a file without it
///   (Wolfi's, Chainguard's) gets `wolfi` or `chainguard` from its `urlprefix` host. Package =
///   `pkg.name` (the origin/source package); ecosystem apk.
/// * Each `secfixes` key `V` with ids: per id an `AffectedPackage` with range
///   `introduced "0", fixed V`, status fixed, `fixedVersions [V]`. The key `"0"` means "never
///   affected": status notAffected, no ranges.
/// * An id string may hold several tokens (`CVE-2017-8904 XSA-214`): each usable token becomes its
///   own vulnerability (the others of the same string are its aliases). Usable tokens: strict CVE
///   ids, CVE typos with a recoverable id (`CVE_2019-1234`, `CVE-2017-17434-1`, `CVE-2019-19451.patch`
///   -> the embedded `CVE-YYYY-N…`), and other advisory ids shaped `PREFIX-N[-N]` (`XSA-214`,
///   `TALOS-2017-0488`, `ZBX-1234`, `wnpa-sec-2019-01`). Anything else (`CVE-????-?????`, prose in
///   parentheses) is junk: counted in `ignored`, the rest of the entry is kept.
/// * Vulnerabilities carry no text (secdb has none); `records` counts distinct ids.
public struct AlpineSecDBImporter: AdvisoryImporter {
    public static let format = "alpine-secdb"
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    public init() {}

    public static func recognizes(directory: URL) -> Bool {
        FileWalker.directoryMatches(directory, extensions: extensions, file: recognizes(file:))
    }

    public static func recognizes(file: URL, head: String) -> Bool {
        guard FileWalker.isCandidate(file, head: head, extensions: extensions) else { return false }
        // Alpine's files name their branch; Wolfi's and Chainguard's (the same format otherwise)
        // name their repository instead.
        return head.contains("packages") && (head.contains("distroversion") || (head.contains("urlprefix") && head.contains("apkurl")))
    }

    public func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport {
        try importEachFile(from: directory, format: Self.format, extensions: Self.extensions, where: Self.recognizes(file:),
                           into: sink) { file, session in
            try Self.parse(try DocLoader.load(file), file: file, session: session)
        }
    }

    static func namespace(distroversion: String) -> String {
        var v = distroversion.trimmingCharacters(in: .whitespaces)
        if v.hasPrefix("v") { v.removeFirst() }
        return "alpine:" + v
    }

    /// The namespace of a file without `distroversion`: Wolfi (`https://packages.wolfi.dev`) and
    /// Chainguard (`https://packages.cgr.dev`) publish one rolling database per repository.
    static func namespace(urlPrefix: String) -> String? {
        guard let host = URL(string: urlPrefix.trimmingCharacters(in: .whitespaces))?.host?.lowercased() else { return nil }
        if host == "wolfi.dev" || host.hasSuffix(".wolfi.dev") { return "wolfi" }
        if host == "cgr.dev" || host.hasSuffix(".cgr.dev") || host.hasSuffix(".chainguard.dev") { return "chainguard" }
        return nil
    }

    static func parse(_ doc: Doc, file: URL, session: ImportSession) throws {
        guard doc.object != nil else { throw RecordError("not a mapping") }
        let namespace: String
        if let distro = doc["distroversion"]?.nonEmptyString {
            namespace = Self.namespace(distroversion: distro)
        } else if let prefix = doc["urlprefix"]?.nonEmptyString {
            guard let known = Self.namespace(urlPrefix: prefix) else {
                throw RecordError("no distroversion, and urlprefix \(prefix.prefix(80)) is neither Wolfi's nor Chainguard's")
            }
            namespace = known
        } else {
            throw RecordError("missing distroversion")
        }
        guard let packages = doc["packages"], !packages.isNull else { return }  // v3.3/community: packages: null
        guard let list = packages.array else { throw RecordError("packages is not a list") }
        for entry in list {
            let pkg = entry["pkg"] ?? entry
            guard let name = pkg["name"]?.nonEmptyString else {
                session.skip(file, "package entry without name"); continue
            }
            guard let secfixes = pkg["secfixes"], !secfixes.isNull else { continue }
            guard let fixes = secfixes.object else { session.skip(file, "\(name): secfixes is not a mapping"); continue }
            for (version, idsDoc) in fixes {
                let neverAffected = version == "0"
                if !neverAffected, (try? VersionComparator(.apk).validate(version)) == nil {
                    session.skip(file, "\(name): invalid version key \(version)"); continue
                }
                for idString in idsDoc.stringList {
                    var tokens: [String] = []
                    for raw in idString.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                        if let t = usableID(String(raw)) { tokens.append(t) }
                        else { session.report.ignored += 1 }  // junk token, see the type's documentation
                    }
                    tokens = Identifiers.dedup(tokens)
                    for id in tokens {
                        if !session.hasEmitted(id) {
                            try session.emit(Vulnerability(id: id, aliases: tokens.filter { $0 != id }, source: session.source))
                        }
                        try session.emit(AffectedPackage(
                            vulnerabilityID: id, namespace: namespace, package: name, ecosystem: .apk,
                            status: neverAffected ? .notAffected : .fixed,
                            ranges: neverAffected ? [] : [[.introduced("0"), .fixed(version)]],
                            fixedVersions: neverAffected ? [] : [version]))
                    }
                }
            }
        }
    }

    /// The normalised id for a secfixes token, or nil for junk.
    static func usableID(_ raw: String) -> String? {
        let t = raw.trimmingCharacters(in: CharacterSet(charactersIn: " ,;"))
        if Identifiers.isCVE(t) { return t }
        let upper = t.uppercased()
        if upper.hasPrefix("CVE") {
            // Recover CVE_2019-1234, CVE-2017-17434-1, CVE-2019-19451.patch.
            let chars = Array(upper.dropFirst(3))
            guard chars.first == "-" || chars.first == "_" else { return nil }
            let body = chars.dropFirst()
            let year = body.prefix(4)
            guard year.count == 4, year.allSatisfy(\.isASCIIDigit), body.dropFirst(4).first == "-" else { return nil }
            let num = body.dropFirst(5).prefix { $0.isASCIIDigit }
            guard num.count >= 4 else { return nil }
            return "CVE-" + String(year) + "-" + String(num)
        }
        // PREFIX-N or PREFIX-PREFIX-N-N: letters then dash-separated groups ending in digits.
        let groups = t.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count >= 2, let first = groups.first, !first.isEmpty, first.allSatisfy({ $0.isLetter && $0.isASCII }) else { return nil }
        var sawDigits = false
        for g in groups.dropFirst() {
            if g.isEmpty { return nil }
            if g.allSatisfy(\.isASCIIDigit) { sawDigits = true }
            else if sawDigits || !g.allSatisfy({ $0.isLetter && $0.isASCII }) { return nil }
        }
        return sawDigits ? t : nil
    }
}
