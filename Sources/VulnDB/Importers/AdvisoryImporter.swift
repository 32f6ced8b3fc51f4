import Foundation

/// What every data-set importer (advisories and enrichment) can say about itself.
public protocol DataSetImporter: Sendable {
    /// "osv", "rubysec", "friendsofphp", "nodejs-security-wg", "victims", "alpine-secdb",
    /// "debian-tracker", "cisa-kev", "cve5".
    static var format: String { get }
    /// Sniffs a directory's layout and content (a few sample files, never the whole tree).
    static func recognizes(directory: URL) -> Bool
    /// Sniffs one file: whether it looks like a record of this format. Used by `DataSetDetector`.
    static func recognizes(file: URL) -> Bool
    /// The same, given the file's first 64 KiB as text (so a detector reads each file once).
    static func recognizes(file: URL, head: String) -> Bool
    init()
}

extension DataSetImporter {
    public static func recognizes(file: URL) -> Bool {
        guard let head = FileWalker.head(file, bytes: FileWalker.sniffBytes) else { return false }
        return recognizes(file: file, head: head)
    }
}

/// An importer of advisory records into the normalised model.
public protocol AdvisoryImporter: DataSetImporter {
    /// Reads every record under `directory`, handing batches to `sink` as it goes.
    /// Malformed files are skipped (counted, with a sample); only an error thrown by `sink` aborts.
    func importRecords(from directory: URL, into sink: (ImportBatch) throws -> Void) throws -> ImportReport
}

public struct ImportBatch: Sendable, Equatable {
    public var vulnerabilities: [Vulnerability]
    public var affected: [AffectedPackage]

    public init(vulnerabilities: [Vulnerability] = [], affected: [AffectedPackage] = []) {
        self.vulnerabilities = vulnerabilities
        self.affected = affected
    }

    public var isEmpty: Bool { vulnerabilities.isEmpty && affected.isEmpty }
}

public struct ImportReport: Codable, Sendable, Equatable {
    public var format: String
    public var source: String
    /// Vulnerability records emitted (unique ids within this import).
    public var records: Int
    public var affectedPackages: Int
    /// Files (or, for multi-record files, entries/ids) that could not be used.
    public var skipped: Int
    /// "relative/path: reason", at most 10.
    public var skippedSamples: [String]
    public var gitRangesSkipped: Int
    public var withdrawn: Int
    /// Records that are notices rather than vulnerabilities (RustSec informational).
    public var informational: Int
    /// Records deliberately left out by a documented rule (nodejs `deps/`), not errors.
    public var ignored: Int

    public init(format: String, source: String, records: Int = 0, affectedPackages: Int = 0, skipped: Int = 0,
                skippedSamples: [String] = [], gitRangesSkipped: Int = 0, withdrawn: Int = 0,
                informational: Int = 0, ignored: Int = 0) {
        self.format = format
        self.source = source
        self.records = records
        self.affectedPackages = affectedPackages
        self.skipped = skipped
        self.skippedSamples = skippedSamples
        self.gitRangesSkipped = gitRangesSkipped
        self.withdrawn = withdrawn
        self.informational = informational
        self.ignored = ignored
    }
}

/// Accumulates a report and flushes batches to the sink.
final class ImportSession {
    var report: ImportReport
    let root: URL
    private let sink: (ImportBatch) throws -> Void
    private var pending = ImportBatch()
    private var emittedIDs = Set<String>()
    let batchSize: Int

    init(format: String, root: URL, sink: @escaping (ImportBatch) throws -> Void, batchSize: Int = 500) {
        self.root = root
        self.report = ImportReport(format: format, source: DataSetNaming.sourceName(for: root))
        self.sink = sink
        self.batchSize = batchSize
    }

    var source: String { report.source }

    func skip(_ url: URL, _ reason: String) {
        report.skipped += 1
        if report.skippedSamples.count < 10 {
            report.skippedSamples.append("\(relativePath(url)): \(reason)")
        }
    }

    func relativePath(_ url: URL) -> String {
        let base = root.standardizedFileURL.path
        let p = url.standardizedFileURL.path
        if p.hasPrefix(base + "/") { return String(p.dropFirst(base.count + 1)) }
        return url.lastPathComponent
    }

    /// Emits a vulnerability unless one with the same id was already emitted in this import.
    @discardableResult
    func emit(_ v: Vulnerability) throws -> Bool {
        guard emittedIDs.insert(v.id).inserted else { return false }
        pending.vulnerabilities.append(v)
        report.records += 1
        if v.withdrawn != nil { report.withdrawn += 1 }
        if v.informational != nil { report.informational += 1 }
        try flushIfFull()
        return true
    }

    func hasEmitted(_ id: String) -> Bool { emittedIDs.contains(id) }

    func emit(_ a: AffectedPackage) throws {
        pending.affected.append(a)
        report.affectedPackages += 1
        try flushIfFull()
    }

    private func flushIfFull() throws {
        if pending.vulnerabilities.count + pending.affected.count >= batchSize { try flush() }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = ImportBatch()
        do { try sink(batch) } catch { throw SinkFailure(underlying: error) }
    }

    /// Records a per-file failure as skipped; a failure of the sink itself is rethrown (as the
    /// sink's own error) so the whole import stops.
    func handle(_ error: any Error, _ url: URL) throws {
        if error is SinkFailure { throw error }
        skip(url, String(describing: error))
    }

    func finish() throws -> ImportReport {
        try flush()
        return report
    }
}

struct SinkFailure: Error {
    var underlying: any Error
}

/// Runs an import body with a non-escaping sink, turning a sink failure back into the sink's error.
func runImport(_ sink: (ImportBatch) throws -> Void,
               _ body: (@escaping (ImportBatch) throws -> Void) throws -> ImportReport) throws -> ImportReport {
    do {
        return try withoutActuallyEscaping(sink) { try body($0) }
    } catch let s as SinkFailure {
        throw s.underlying
    }
}

/// The import loop of formats whose files each hold one advisory for one package (rubysec,
/// FriendsOfPHP): load, parse, emit, or count the file as skipped.
func importOneRecordPerFile(
    from directory: URL, format: String, extensions: Set<String>, into sink: (ImportBatch) throws -> Void,
    parse: (Doc, _ fileStem: String, _ source: String) throws -> (Vulnerability, AffectedPackage)
) throws -> ImportReport {
    try runImport(sink) { sink in
        let session = ImportSession(format: format, root: directory, sink: sink)
        for file in FileWalker.files(under: directory, extensions: extensions) where !FileWalker.isAuxiliaryFile(file) {
            do {
                let doc = try DocLoader.load(file)
                let (v, a) = try parse(doc, file.deletingPathExtension().lastPathComponent, session.source)
                try session.emit(v)
                try session.emit(a)
            } catch {
                try session.handle(error, file)
            }
        }
        return try session.finish()
    }
}

/// The import loop of formats read file by file, where only files that look like the format
/// are read (`wanted`, a content sniff): `read` emits what a file holds; a file that fails costs
/// only itself (counted, with a sample).
func importEachFile(
    from directory: URL, format: String, extensions: Set<String>, where wanted: (URL) -> Bool,
    into sink: (ImportBatch) throws -> Void, read: (URL, ImportSession) throws -> Void
) throws -> ImportReport {
    try runImport(sink) { sink in
        let session = ImportSession(format: format, root: directory, sink: sink)
        for file in FileWalker.files(under: directory, extensions: extensions) where !FileWalker.isAuxiliaryFile(file) && wanted(file) {
            do {
                try read(file, session)
            } catch {
                try session.handle(error, file)
            }
        }
        return try session.finish()
    }
}

struct RecordError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum FileWalker {
    /// Directory entries as (url, isDirectory), sorted, hidden entries skipped. Path-based on
    /// purpose: `URL.resourceValues` costs ~80 µs per call on Linux, a stat through `fileExists` ~4 µs.
    static func entries(of dir: URL) -> [(url: URL, isDirectory: Bool)] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }
        var out: [(URL, Bool)] = []
        out.reserveCapacity(names.count)
        for name in names.sorted() where !name.hasPrefix(".") {
            var isDir: ObjCBool = false
            let path = dir.path + "/" + name
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            out.append((URL(fileURLWithPath: path, isDirectory: isDir.boolValue), isDir.boolValue))
        }
        return out
    }

    /// Regular files under `root` (recursively, sorted by path) whose extension is in `extensions`.
    static func files(under root: URL, extensions: Set<String>, maxDepth: Int = 12) -> [URL] {
        var out: [URL] = []
        var stack: [(URL, Int)] = [(root.standardizedFileURL, 0)]
        while let (dir, depth) = stack.popLast() {
            for (url, isDir) in entries(of: dir) {
                if isDir {
                    if depth + 1 < maxDepth { stack.append((url, depth + 1)) }
                } else if extensions.contains(url.pathExtension.lowercased()) {
                    out.append(url)
                }
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Up to `limit` files with one of `extensions`, found breadth-first (cheap sniffing).
    static func sample(under root: URL, extensions: Set<String>, limit: Int, maxDepth: Int = 4,
                       exclude: (URL) -> Bool = { _ in false }) -> [URL] {
        var out: [URL] = []
        var queue: [(URL, Int)] = [(root, 0)]
        var visitedDirs = 0
        while !queue.isEmpty, out.count < limit, visitedDirs < 200 {
            let (dir, depth) = queue.removeFirst()
            visitedDirs += 1
            for (item, isDir) in entries(of: dir) {
                if isDir {
                    if depth < maxDepth { queue.append((item, depth + 1)) }
                } else if extensions.contains(item.pathExtension.lowercased()), !exclude(item), out.count < limit {
                    out.append(item)
                }
            }
        }
        return out
    }

    static let sniffBytes = 65_536

    /// The first `bytes` of a file as text (lossy), for sniffing.
    static func head(_ url: URL, bytes: Int = 16_384) -> String? {
        guard let h = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? h.close() }
        guard let data = try? h.read(upToCount: bytes) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether `file` is worth sniffing as a record: one of `extensions`, not an auxiliary file
    /// (licence, index), and not empty.
    static func isCandidate(_ file: URL, head: String, extensions: Set<String>) -> Bool {
        extensions.contains(file.pathExtension.lowercased()) && !isAuxiliaryFile(file) && !head.isEmpty
    }

    /// Top-level mapping keys of a YAML text (lines that start in column 0 with `key:`).
    static func yamlTopLevelKeys(_ text: String) -> Set<String> {
        var keys = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let f = line.first, f.isLetter || f == "_" else { continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            if key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) { keys.insert(String(key)) }
        }
        return keys
    }

    static func isAuxiliaryFile(_ url: URL) -> Bool {
        let name = url.lastPathComponent.lowercased()
        return name.hasPrefix("license") || name.hasPrefix("readme") || name.hasPrefix("notice")
            || name.hasPrefix("copying") || name.contains("schema") || name == "index.json"
            || name.hasPrefix(".") || name == "package.json" || name == "package-lock.json"
    }

    /// Recognises a directory when a majority of up to `limit` sampled record files match.
    static func directoryMatches(_ dir: URL, extensions: Set<String>, limit: Int = 6,
                                 file: (URL) -> Bool) -> Bool {
        let files = sample(under: dir, extensions: extensions, limit: limit, exclude: isAuxiliaryFile)
        guard !files.isEmpty else { return false }
        let hits = files.filter(file).count
        return hits * 2 > files.count
    }
}

enum DataSetNaming {
    static let genericNames: Set<String> = ["osv", "vulns", "vuln", "advisories", "data", "database", "json", "yaml",
                                            "java", "crates", "gems", "npm", "core", "python"]

    /// A readable data-set name: the nearest directory (itself, its single licensed child, or an
    /// ancestor) that carries a LICENSE file, else the first non-generic directory name.
    static func sourceName(for dir: URL) -> String {
        let fm = FileManager.default
        func hasLicense(_ u: URL) -> Bool {
            guard let items = try? fm.contentsOfDirectory(atPath: u.path) else { return false }
            return items.contains { $0.lowercased().hasPrefix("license") || $0.lowercased() == "copying" }
        }
        let start = dir.standardizedFileURL
        if hasLicense(start) { return start.lastPathComponent }
        var u = start
        for _ in 0..<3 {
            let parent = u.deletingLastPathComponent()
            if parent.path == u.path { break }
            u = parent
            if hasLicense(u) { return u.lastPathComponent }
        }
        u = start
        for _ in 0..<3 where genericNames.contains(u.lastPathComponent.lowercased()) {
            u = u.deletingLastPathComponent()
        }
        return u.lastPathComponent
    }
}
