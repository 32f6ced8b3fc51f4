import Foundation

/// Walks one Java archive and the archives nested in it, collecting Maven packages:
///
/// 1. every `META-INF/maven/<group>/<artifact>/pom.properties` (shaded jars carry several);
/// 2. when there is none, the archive's own identity from MANIFEST.MF and its file name
///    (`JavaArchiveIdentity`);
/// 3. then every entry named like a Java archive (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, any
///    other), recursively, up to `Limits.maxDepth` levels below the file.
///
/// Hostile archives are bounded three ways: a nested archive larger than `maxNestedArchiveSize`
/// uncompressed is not opened; all archives of one file together may list at most
/// `maxTotalEntries` entries and inflate at most `maxTotalInflatedBytes` (exceeding either aborts
/// the file — that is a zip bomb, not a big application); and each entry inflates at most to the
/// size it declares. A nested archive that cannot be read is skipped and its reason recorded in
/// `properties["skippedNested"]` of the packages found in the archive containing it (findings have
/// no other place for notes); only a top-level archive that is not a readable zip is an error.
struct JavaArchiveScanner {
    struct Limits: Sendable {
        var maxDepth = 4
        var maxNestedArchiveSize = 64 << 20
        var maxMetadataFileSize = 1 << 20
        var maxTotalEntries = 1_000_000
        var maxTotalInflatedBytes = 2 << 30
        var maxCentralDirectorySize = 64 << 20
    }

    /// A limit that ends the whole file's analysis.
    struct BudgetExceeded: Error, CustomStringConvertible {
        var description: String
    }

    static let archiveExtensions: Set<String> = ["jar", "war", "ear", "jpi", "hpi", "par", "sar", "nar", "kar"]

    let limits: Limits
    let location: String
    private var entriesLeft: Int
    private var bytesLeft: Int

    init(limits: Limits, location: String) {
        self.limits = limits
        self.location = location
        entriesLeft = limits.maxTotalEntries
        bytesLeft = limits.maxTotalInflatedBytes
    }

    static func isJavaArchive(_ path: some StringProtocol) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path.hasSuffix("/") else { return false }
        let ext = path[path.index(after: dot)...]
        return !ext.contains("/") && archiveExtensions.contains(ext.lowercased())
    }

    /// `META-INF/maven/<group>/<artifact>/pom.properties`: the group and artifact directories.
    static func pomPropertiesCoordinates(_ path: String) -> (group: String, artifact: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "META-INF", parts[1] == "maven", parts[4] == "pom.properties",
              !parts[2].isEmpty, !parts[3].isEmpty else { return nil }
        return (String(parts[2]), String(parts[3]))
    }

    /// Packages of the archive in `source` (named `fileName`) and of the archives inside it.
    /// `nestedPath` is nil for the file itself, else the "!"-joined entry path that leads here.
    mutating func scan(_ source: any RandomAccessBytes, fileName: String, nestedPath: String?, depth: Int) throws -> [Package] {
        let zip: ZipArchive
        do {
            zip = try ZipArchive(source, maxEntries: max(entriesLeft, 0), maxDirectorySize: limits.maxCentralDirectorySize)
        } catch ZipArchive.Failure.tooManyEntries {
            throw BudgetExceeded(description: "more than \(limits.maxTotalEntries) zip entries in all (zip bomb?)")
        }
        entriesLeft -= zip.entries.count + 1

        var own: [Package] = []
        for entry in zip.entries {
            guard let coordinates = Self.pomPropertiesCoordinates(entry.path),
                  let data = try metadata(zip, entry) else { continue }
            let properties = JavaProperties.parse(data)
            let version = properties["version", default: ""].trimmingCharacters(in: .whitespaces)
            var group = properties["groupId", default: ""].trimmingCharacters(in: .whitespaces)
            var artifact = properties["artifactId", default: ""].trimmingCharacters(in: .whitespaces)
            if group.isEmpty { group = coordinates.group }
            if artifact.isEmpty { artifact = coordinates.artifact }
            guard !version.isEmpty else { continue }
            own.append(package(name: "\(group):\(artifact)", version: version, nestedPath: nestedPath))
        }
        if own.isEmpty {
            let manifestEntry = zip.entries.first { $0.path.caseInsensitiveCompare("META-INF/MANIFEST.MF") == .orderedSame }
            let manifest = try manifestEntry.flatMap { try metadata(zip, $0) }.map(JarManifest.init)
            if let identity = JavaArchiveIdentity(fileName: fileName, manifest: manifest) {
                var found = package(name: "\(identity.groupId):\(identity.artifactId)", version: identity.version,
                                    nestedPath: nestedPath)
                found.properties["identifiedBy"] = identity.evidence
                own.append(found)
            }
        }

        var nested: [Package] = []
        var skipped: [String] = []
        for entry in zip.entries where !entry.isDirectory && Self.isJavaArchive(entry.path) {
            let innerPath = nestedPath.map { "\($0)!\(entry.path)" } ?? entry.path
            guard depth < limits.maxDepth else {
                skipped.append("\(entry.path): nested more than \(limits.maxDepth) archives deep")
                continue
            }
            guard entry.uncompressedSize <= limits.maxNestedArchiveSize else {
                skipped.append("\(entry.path): larger than \(limits.maxNestedArchiveSize) bytes uncompressed")
                continue
            }
            do {
                if entry.method != 0 { try spend(entry.uncompressedSize) }
                let inner = try zip.bytes(of: entry, limit: limits.maxNestedArchiveSize)
                let innerName = String(entry.path.split(separator: "/").last ?? Substring(entry.path))
                nested += try scan(inner, fileName: innerName, nestedPath: innerPath, depth: depth + 1)
            } catch let exceeded as BudgetExceeded {
                throw exceeded
            } catch {
                skipped.append("\(entry.path): \(error)")
            }
        }
        if !skipped.isEmpty {
            let note = skipped.prefix(10).joined(separator: "; ") + (skipped.count > 10 ? "; …" : "")
            for index in own.indices { own[index].properties["skippedNested"] = note }
        }
        return own + nested
    }

    /// A small metadata file's bytes, or nil when it cannot be read (that record is skipped).
    private mutating func metadata(_ zip: ZipArchive, _ entry: ZipArchive.Entry) throws -> Data? {
        guard entry.uncompressedSize <= limits.maxMetadataFileSize else { return nil }
        try spend(entry.uncompressedSize)
        return try? zip.data(of: entry, limit: limits.maxMetadataFileSize)
    }

    private mutating func spend(_ bytes: Int) throws {
        guard bytes <= bytesLeft else {
            throw BudgetExceeded(description: "inflates to more than \(limits.maxTotalInflatedBytes) bytes in all (zip bomb?)")
        }
        bytesLeft -= bytes
    }

    private func package(name: String, version: String, nestedPath: String?) -> Package {
        var properties: [String: String] = [:]
        if let nestedPath { properties["nestedPath"] = nestedPath }
        return Package(type: .maven, name: name, version: version, location: location, properties: properties)
    }
}
