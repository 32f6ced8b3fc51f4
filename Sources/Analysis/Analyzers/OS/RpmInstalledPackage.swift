import Foundation

/// Turns an rpm database header into a Drydock package and the list of files it installed.
///
/// `version` follows syft's rule (`toELVersion`): `epoch:version-release` whenever the header
/// has an EPOCH tag, even when it is 0 (rpm's own `%{EVR}` does the same), and `version-release`
/// when it has none. The source package comes from SOURCERPM (`name-version-release.src.rpm`);
/// the binary's epoch is prefixed to its version by the same rule, because a source rpm's file
/// name never carries the epoch and every package built from it shares the epoch (as trivy does).
/// The file name itself is kept in `properties["sourceRpm"]` (the purl's `upstream` qualifier).
enum RpmInstalledPackage {
    /// nil for pseudo packages; throws for headers that lack a name or version or whose tags do
    /// not have the types rpm gives them.
    static func make(from header: RpmHeader, location: String) throws(RpmFormatError) -> (package: Package, files: [String])? {
        guard let name = try header.string(.name), !name.isEmpty else { throw RpmFormatError("header has no NAME") }
        guard let version = try header.string(.version), !version.isEmpty else {
            throw RpmFormatError("package \(name) has no VERSION")
        }
        let release = try header.string(.release) ?? ""
        let epoch = try header.int32Array(.epoch)?.first
        let fullVersion = evr(epoch: epoch, version: version, release: release)

        var sourceName: String?
        var sourceVersion: String?
        var properties: [String: String] = [:]
        if let sourceRPM = try header.string(.sourceRPM), !sourceRPM.isEmpty {
            properties["sourceRpm"] = sourceRPM
            if let parsed = splitSourceRPM(sourceRPM) {
                sourceName = parsed.name
                sourceVersion = evr(epoch: epoch, version: parsed.version, release: parsed.release)
            }
        }
        if let label = try header.string(.modularityLabel), !label.isEmpty {
            properties["modularityLabel"] = label
        }
        let licenses = try header.string(.license).map { $0.isEmpty ? [] : [$0] } ?? []
        let arch = try header.string(.arch).flatMap { $0.isEmpty ? nil : $0 }
        let package = Package(type: .rpm, name: name, version: fullVersion, sourceName: sourceName,
                              sourceVersion: sourceVersion, arch: arch, licenses: licenses,
                              location: location, properties: properties)
        // Inconsistent file arrays lose the file list, not the package.
        return (package, (try? files(of: header)) ?? [])
    }

    static func evr(epoch: Int32?, version: String, release: String) -> String {
        let vr = release.isEmpty ? version : "\(version)-\(release)"
        return epoch.map { "\($0):\(vr)" } ?? vr
    }

    /// `openssl-1.1.1k-7.el8_6.src.rpm` → (openssl, 1.1.1k, 7.el8_6); nil for names not of that shape.
    static func splitSourceRPM(_ fileName: String) -> (name: String, version: String, release: String)? {
        var base = Substring(fileName)
        if base.hasSuffix(".rpm") { base = base.dropLast(4) }
        guard let archDot = base.lastIndex(of: ".") else { return nil }
        base = base[..<archDot]
        guard let releaseDash = base.lastIndex(of: "-") else { return nil }
        let release = base[base.index(after: releaseDash)...]
        let nameVersion = base[..<releaseDash]
        guard let versionDash = nameVersion.lastIndex(of: "-") else { return nil }
        let version = nameVersion[nameVersion.index(after: versionDash)...]
        let name = nameVersion[..<versionDash]
        guard !name.isEmpty, !version.isEmpty, !release.isEmpty else { return nil }
        return (String(name), String(version), String(release))
    }

    /// Installed paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES in headers
    /// written before rpm 4 compressed file names.
    static func files(of header: RpmHeader) throws(RpmFormatError) -> [String] {
        guard let baseNames = try header.stringArray(.baseNames) else {
            return try header.stringArray(.oldFileNames) ?? []
        }
        guard let dirNames = try header.stringArray(.dirNames),
              let dirIndexes = try header.int32Array(.dirIndexes),
              dirIndexes.count == baseNames.count else {
            throw RpmFormatError("BASENAMES without matching DIRNAMES/DIRINDEXES")
        }
        var paths: [String] = []
        paths.reserveCapacity(baseNames.count)
        for (baseName, dirIndex) in zip(baseNames, dirIndexes) {
            guard dirIndex >= 0, Int(dirIndex) < dirNames.count else {
                throw RpmFormatError("DIRINDEXES entry \(dirIndex) outside DIRNAMES")
            }
            paths.append(dirNames[Int(dirIndex)] + baseName)
        }
        return paths
    }
}
