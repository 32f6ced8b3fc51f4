import Foundation
import Testing
@testable import Analysis

/// Reads the fixtures of the language analyzers (Fixtures/Language, see its README.md) and runs
/// analyzers over them. Fixture trees mirror image paths: `python/usr/lib/…` is analysed as
/// `/usr/lib/…`.
enum LanguageFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Language")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    /// Runs `analyzer` on the fixture `relative`, presented as the image file `path`.
    static func packages(_ analyzer: any Analyzer, path: String, fixture relative: String) async throws -> [Package] {
        try await packages(analyzer, path: path, bytes: data(relative))
    }

    static func packages(_ analyzer: any Analyzer, path: String, bytes: Data) async throws -> [Package] {
        let header = FileHeader(path: path, size: Int64(bytes.count))
        #expect(analyzer.wants(header), "\(analyzer.name) should want \(path)")
        return try await analyzer.analyze(header, .memory(bytes)).packages
    }

    static func packages(_ analyzer: any Analyzer, path: String, text: String) async throws -> [Package] {
        try await packages(analyzer, path: path, bytes: Data(text.utf8))
    }

    struct TreeResult {
        var packages: [Package] = []
        var errors: [String: AnalysisError] = [:]
        var wanted: [String] = []
    }

    /// Every regular file under `directory` that `analyzer` wants, analysed as the image path
    /// relative to `directory` (or under `prefix`). Symlinks are not followed.
    static func tree(_ analyzer: any Analyzer, _ directory: URL, prefix: String = "") async throws -> TreeResult {
        var result = TreeResult()
        for (path, url) in regularFiles(directory, prefix: prefix) {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            let header = FileHeader(path: path, size: size)
            guard analyzer.wants(header) else { continue }
            result.wanted.append(path)
            do {
                result.packages += try await analyzer.analyze(header, .file(url)).packages
            } catch let error as AnalysisError {
                result.errors[path] = error
            }
        }
        return result
    }

    /// One walk of `directory` for several analyzers; results keyed by analyzer name.
    static func tree(_ analyzers: [any Analyzer], _ directory: URL, prefix: String) async throws -> [String: TreeResult] {
        var results: [String: TreeResult] = [:]
        for (path, url) in regularFiles(directory, prefix: prefix) {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            let header = FileHeader(path: path, size: size)
            for analyzer in analyzers where analyzer.wants(header) {
                results[analyzer.name, default: TreeResult()].wanted.append(path)
                do {
                    results[analyzer.name, default: TreeResult()].packages += try await analyzer.analyze(header, .file(url)).packages
                } catch let error as AnalysisError {
                    results[analyzer.name, default: TreeResult()].errors[path] = error
                }
            }
        }
        return results
    }

    static func regularFiles(_ directory: URL, prefix: String) -> [(String, URL)] {
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var files: [(String, URL)] = []
        while let url = walker.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            files.append((prefix + String(url.standardizedFileURL.path.dropFirst(base.count)), url))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// `name version` strings, sorted, for compact exact comparisons.
    static func summary(_ packages: [Package]) -> [String] {
        packages.map { "\($0.name) \($0.version)" + ($0.properties["dev"] == "true" ? " dev" : "") }.sorted()
    }
}

/// Expects `body` to throw `AnalysisError.malformed` (not crash, not succeed).
func expectMalformed(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        try await body()
        Issue.record("expected AnalysisError.malformed, got success", sourceLocation: sourceLocation)
    } catch let error as AnalysisError {
        guard case .malformed = error else {
            Issue.record("expected .malformed, got \(error)", sourceLocation: sourceLocation)
            return
        }
    } catch {
        Issue.record("expected AnalysisError, got \(error)", sourceLocation: sourceLocation)
    }
}
