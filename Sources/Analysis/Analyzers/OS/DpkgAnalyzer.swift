import Foundation

/// Debian packages from dpkg's database:
/// - `/var/lib/dpkg/status`: one stanza per package dpkg knows about. Only packages whose files are
///   on disk and configured count: the Status field's selection is `install` or `hold` and its state
///   is `installed` (or `triggers-pending`/`triggers-awaited`, which are installed packages waiting
///   for a trigger). Removed-but-not-purged (`config-files`), half-installed, unpacked-only and
///   `deinstall`/`purge` selections are skipped.
/// - `/var/lib/dpkg/status.d/*`: distroless images write one stanza per file here instead, without
///   a Status field (a stanza that has one is filtered as above); `*.md5sums` files beside them
///   are checksums, not stanzas.
/// - `/var/lib/dpkg/info/NAME[:ARCH].list`: the files package NAME installed, returned as
///   `ownedFiles` (`deb:NAME`) so language packages found there can be attributed to it.
public struct DpkgAnalyzer: Analyzer {
    public let name = "dpkg"
    public let version = 1

    static let statusPath = "/var/lib/dpkg/status"
    static let statusDirectory = "/var/lib/dpkg/status.d/"
    static let infoDirectory = "/var/lib/dpkg/info/"

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        let path = file.path
        if path == Self.statusPath { return true }
        if path.hasPrefix(Self.statusDirectory) {
            return !file.fileName.hasSuffix(".md5sums") && !path.dropFirst(Self.statusDirectory.count).contains("/")
        }
        if path.hasPrefix(Self.infoDirectory) {
            return path.hasSuffix(".list") && !path.dropFirst(Self.infoDirectory.count).contains("/")
        }
        return false
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let bytes = [UInt8](try content.data())
        if file.path.hasPrefix(Self.infoDirectory) {
            return FileFindings(ownedFiles: Self.ownedFiles(listFile: file, bytes))
        }
        return FileFindings(packages: try Self.packages(statusFile: file, bytes))
    }

    static func packages(statusFile file: FileHeader, _ bytes: [UInt8]) throws -> [Package] {
        if bytes.contains(0) {
            throw AnalysisError.malformed(file.path, "binary data (NUL bytes) in a dpkg status file")
        }
        let parser = DebControlParser(fields: ["package", "version", "architecture", "source", "status"])
        let stanzas: [[String: String]]
        do {
            stanzas = try parser.stanzas(in: bytes)
        } catch {
            throw AnalysisError.malformed(file.path, "more than \(parser.maxStanzas) stanzas")
        }
        if !stanzas.contains(where: { $0["package"] != nil }), !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw AnalysisError.malformed(file.path, "no Package stanza in a dpkg status file")
        }
        var packages: [Package] = []
        for stanza in stanzas {
            guard let name = stanza["package"], !name.isEmpty, !name.contains(where: \.isWhitespace),
                  let version = stanza["version"], !version.isEmpty else { continue }
            if let status = stanza["status"], !isInstalled(status: status) { continue }
            var sourceName = name
            var sourceVersion = version
            if let source = stanza["source"], let parsed = parseSource(source) {
                sourceName = parsed.name
                sourceVersion = parsed.version ?? version
            }
            let arch = stanza["architecture"].flatMap { $0.isEmpty ? nil : $0 }
            packages.append(Package(type: .deb, name: name, version: version, sourceName: sourceName,
                                    sourceVersion: sourceVersion, arch: arch, location: file.path))
        }
        return packages
    }

    /// `Status: want eflag state`, e.g. `install ok installed`.
    static func isInstalled(status: String) -> Bool {
        let words = status.split(whereSeparator: \.isWhitespace)
        guard words.count == 3 else { return false }
        let want = words[0], state = words[2]
        guard want == "install" || want == "hold" else { return false }
        return state == "installed" || state == "triggers-pending" || state == "triggers-awaited"
    }

    /// `Source: name` or `Source: name (version)`.
    static func parseSource(_ value: String) -> (name: String, version: String?)? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let nameEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "(" }) else {
            return trimmed.isEmpty ? nil : (trimmed, nil)
        }
        let name = String(trimmed[..<nameEnd])
        guard !name.isEmpty else { return nil }
        let rest = trimmed[nameEnd...].trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("("), rest.hasSuffix(")") else { return (name, nil) }
        let version = rest.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        return (name, version.isEmpty ? nil : version)
    }

    /// Every absolute path in a `.list` file, owned by the package the file is named after
    /// (`libc6:amd64.list` → `deb:libc6`). dpkg starts each list with "/.", the root itself.
    static func ownedFiles(listFile file: FileHeader, _ bytes: [UInt8]) -> [String: String] {
        var packageName = file.fileName.dropLast(".list".count)
        if let colon = packageName.firstIndex(of: ":") { packageName = packageName[..<colon] }
        guard !packageName.isEmpty else { return [:] }
        let owner = "deb:\(packageName)"
        var owned: [String: String] = [:]
        for line in PackageDatabaseLines(bytes: bytes) {
            guard line.first == UInt8(ascii: "/"), line.count > 1, !line.contains(0) else { continue }
            var path = line.lossyUTF8
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
            guard path != "/." else { continue }
            owned[path] = owner
        }
        return owned
    }
}
