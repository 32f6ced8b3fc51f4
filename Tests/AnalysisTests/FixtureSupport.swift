import Foundation
import Testing
import ZIPFoundation
@testable import Analysis

/// Paths and helpers shared by the tests. Fixtures are read through #filePath (they are excluded
/// from the test target); see Fixtures/README.md for how each was made.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    /// Every file of a fixture zip (the binaries are committed zipped), by name.
    static func unzip(_ relative: String) throws -> [String: Data] {
        let archive = try Archive(url: url(relative), accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = data
        }
        return files
    }
}

/// A private temporary directory, removed on deinit.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("drydock-analyzers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ data: Data, as name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file
    }
}

/// Running real tools (go, unzip…) from tests.
enum Tool {
    /// The tool's full path if it is on PATH.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs the tool and returns its standard output; throws if it exits non-zero.
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        guard let executable = find(name) else { throw ToolError(message: "\(name) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting so that a full pipe cannot block the child.
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError(message: "\(name) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                + String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    struct ToolError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// The packages without the fields a test does not look at, for compact exact comparisons.
struct Found: Hashable, CustomStringConvertible {
    var name: String
    var version: String
    var properties: [String: String]

    init(_ name: String, _ version: String, _ properties: [String: String] = [:]) {
        self.name = name
        self.version = version
        self.properties = properties
    }

    init(_ package: Package) {
        self.init(package.name, package.version, package.properties)
    }

    var description: String { "\(name)@\(version) \(properties.sorted { $0.key < $1.key })" }
}

extension Array where Element == Package {
    var found: [Found] { map(Found.init) }
}

/// Whether a thrown error is the contract's `malformed` for this path.
func isMalformed(_ error: any Error, path: String) -> Bool {
    if case AnalysisError.malformed(let errorPath, _) = error { return errorPath == path }
    return false
}
