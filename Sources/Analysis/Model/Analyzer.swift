import Foundation

/// What an analyzer learns from a file's tar header, before any content is read.
public struct FileHeader: Sendable, Hashable {
    /// Absolute, normalised path inside the image: starts with "/", no "." or ".." components,
    /// no trailing slash (`/var/lib/dpkg/status`).
    public var path: String
    public var size: Int64
    /// Permission bits (`0o755`), without the file-type bits.
    public var mode: UInt32

    public init(path: String, size: Int64, mode: UInt32 = 0o644) {
        self.path = path
        self.size = size
        self.mode = mode
    }

    public var isExecutable: Bool { mode & 0o111 != 0 }
    /// The last path component.
    public var fileName: Substring { path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...] }
}

/// A wanted file's bytes. Small files are handed over in memory; large ones were spilled to a
/// private temporary file, which the caller deletes after `analyze` returns.
public enum FileContent: Sendable {
    case memory(Data)
    case file(URL)

    /// The whole content in memory; for spilled files only if it is at most `limit` bytes.
    public func data(limit: Int = 64 << 20) throws -> Data {
        switch self {
        case .memory(let data): return data
        case .file(let url):
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= limit else { throw AnalysisError.tooLarge(url.lastPathComponent, limit: limit) }
            return try Data(contentsOf: url)
        }
    }
}

/// What an analyzer reports for one file. Most analyzers only return packages.
public struct FileFindings: Sendable, Codable, Equatable {
    public var packages: [Package]
    /// Files that an OS package manager says it installed, limited to files some analyzer wants
    /// (so that a language package found there can be attributed to its OS package). Keys are
    /// absolute paths, values the owning package as `type:name` (`deb:python3-urllib3`).
    public var ownedFiles: [String: String]

    public init(packages: [Package] = [], ownedFiles: [String: String] = [:]) {
        self.packages = packages
        self.ownedFiles = ownedFiles
    }

    public static let none = FileFindings()
}

/// One package format. An analyzer sees each regular file of each layer through `wants`, gets the
/// content of those it wants, and returns what it found. Analyzers hold no state between files
/// and never see other files: a layer's findings must depend on that layer alone, so they can be
/// cached by layer digest (`name` and `version` are part of the cache key — bump `version`
/// whenever the analyzer's output for the same input changes).
public protocol Analyzer: Sendable {
    var name: String { get }
    var version: Int { get }
    /// Called for every regular file; must be cheap (a path/suffix check).
    func wants(_ file: FileHeader) -> Bool
    /// Throws `AnalysisError.malformed` for input it cannot read; the caller records the error
    /// against the file and goes on with the rest of the layer.
    func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings
}

public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file's content does not parse as the format it claims to be.
    case malformed(String, String)
    case tooLarge(String, limit: Int)
    /// A layer blob that cannot be read (bad compression, truncated tar, limit exceeded).
    case badLayer(String, String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .malformed(let path, let why): return "\(path): \(why)"
        case .tooLarge(let path, let limit): return "\(path): larger than the \(limit)-byte limit"
        case .badLayer(let layer, let why): return "layer \(layer): \(why)"
        case .unsupported(let why): return why
        }
    }
}
