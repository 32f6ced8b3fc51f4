import DrydockTestSupport
import Foundation
import Testing
@testable import Analysis

/// Fixture files (read through #filePath) and the shared test images, when they have been built.
enum OSFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// Unpacked trees of the real test images (`_work/` of scripts/analysis-images.sh's output),
    /// when they were built; the tests that read them are skipped otherwise.
    static let sharedImages = URL(fileURLWithPath: AnalysisImages.directory).appendingPathComponent("_work")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

    /// Tab-separated lines, fields kept as written (trailing empty fields included).
    static func tsv(_ path: String) throws -> [[String]] {
        try String(contentsOf: url(path), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static func sharedImageFile(_ path: String) -> URL { sharedImages.appendingPathComponent(path) }

    static func sharedImageExists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: sharedImageFile(path).path)
    }

    /// Runs a program and returns its standard output, or nil when it is not installed or fails.
    static func run(_ executable: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Analyzer {
    /// Analyzes `data` as the file at `path`, in memory.
    func osFindings(at path: String, _ data: Data) async throws -> FileFindings {
        let header = FileHeader(path: path, size: Int64(data.count))
        #expect(wants(header), "\(name) should want \(path)")
        return try await analyze(header, .memory(data))
    }

    /// Analyzes the file at `url` as the file at `path`, handed over as a spilled file.
    func osFindings(at path: String, file url: URL) async throws -> FileFindings {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
        let header = FileHeader(path: path, size: size)
        #expect(wants(header), "\(name) should want \(path)")
        return try await analyze(header, .file(url))
    }
}

/// Whether `body` threw `AnalysisError.malformed` for `path`.
func expectOSMalformed(_ path: String, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () async throws -> FileFindings) async {
    do {
        let findings = try await body()
        Issue.record("expected AnalysisError.malformed, got \(findings.packages.count) packages", sourceLocation: sourceLocation)
    } catch let error as AnalysisError {
        guard case .malformed(let errorPath, _) = error else {
            Issue.record("expected .malformed, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(errorPath == path, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected AnalysisError, got \(error)", sourceLocation: sourceLocation)
    }
}
