import Foundation

/// Alpine packages from apk's installed database (`/lib/apk/db/installed`; `/usr/lib/apk/db/installed`
/// on systems that merged /lib into /usr). The file is a series of blocks separated by blank lines,
/// one `X:value` line per field: P name, V version, A arch, o origin (the source package, built
/// at the same version), L license. Files are listed as an `F:` directory line followed by the `R:`
/// files in it (relative names); they are returned as `ownedFiles` (`apk:NAME`).
public struct ApkAnalyzer: Analyzer {
    public let name = "apk"
    public let version = 1

    static let databasePaths: Set<String> = ["/lib/apk/db/installed", "/usr/lib/apk/db/installed"]
    /// More blocks than any real system has: refuse rather than walk.
    static let maxPackages = 200_000

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.path.hasSuffix("/apk/db/installed") && Self.databasePaths.contains(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        try Self.parse(file, [UInt8](try content.data()))
    }

    /// One block of the database as it is read.
    private struct Block {
        var name: String?
        var version: String?
        var arch: String?
        var origin: String?
        var license: String?
        var files: [String] = []
        var directory: String?
        var sawField = false
    }

    static func parse(_ file: FileHeader, _ bytes: [UInt8]) throws -> FileFindings {
        if bytes.contains(0) {
            throw AnalysisError.malformed(file.path, "binary data (NUL bytes) in an apk database")
        }
        var findings = FileFindings()
        var block = Block()
        var blocks = 0
        var sawAnyField = false

        func finish() throws {
            defer { block = Block() }
            guard block.sawField else { return }
            blocks += 1
            guard blocks <= maxPackages else {
                throw AnalysisError.malformed(file.path, "more than \(maxPackages) package blocks")
            }
            guard let name = block.name, !name.isEmpty, let version = block.version, !version.isEmpty else { return }
            let origin = block.origin.flatMap { $0.isEmpty ? nil : $0 }
            findings.packages.append(Package(
                type: .apk, name: name, version: version,
                sourceName: origin ?? name, sourceVersion: version,
                arch: block.arch.flatMap { $0.isEmpty ? nil : $0 },
                licenses: block.license.map { $0.isEmpty ? [] : [$0] } ?? [],
                location: file.path))
            for path in block.files { findings.ownedFiles[path] = "apk:\(name)" }
        }

        for line in PackageDatabaseLines(bytes: bytes) {
            if line.isBlankLine {
                try finish()
                continue
            }
            guard line.count >= 2, let key = line.first, line[line.startIndex + 1] == UInt8(ascii: ":") else { continue }
            let value = line.dropFirst(2)
            block.sawField = true
            sawAnyField = true
            switch key {
            case UInt8(ascii: "P"): block.name = value.lossyUTF8
            case UInt8(ascii: "V"): block.version = value.lossyUTF8
            case UInt8(ascii: "A"): block.arch = value.lossyUTF8
            case UInt8(ascii: "o"): block.origin = value.lossyUTF8
            case UInt8(ascii: "L"): block.license = value.lossyUTF8
            case UInt8(ascii: "F"):
                var directory = value.lossyUTF8
                while directory.hasSuffix("/") { directory.removeLast() }
                while directory.hasPrefix("/") { directory.removeFirst() }
                block.directory = directory
            case UInt8(ascii: "R"):
                let fileName = value.lossyUTF8
                guard !fileName.isEmpty else { continue }
                if let directory = block.directory, !directory.isEmpty {
                    block.files.append("/\(directory)/\(fileName)")
                } else {
                    block.files.append("/\(fileName)")
                }
            default: break
            }
        }
        try finish()
        if !sawAnyField, !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw AnalysisError.malformed(file.path, "no `X:value` fields in an apk database")
        }
        return findings
    }
}
