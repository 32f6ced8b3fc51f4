import Foundation

/// The real test images (scripts/test-images, built by scripts/analysis-images.sh): debootstrap
/// Debian with Python/node/Java/Ruby layers and whiteouts, Alpine- and RPM-format databases, a
/// multi-arch index. Built once per machine (about 5 minutes, needs root) and cached in .cache.
public enum AnalysisImages {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    public static let directory = ProcessInfo.processInfo.environment["DRYDOCK_ANALYSIS_IMAGES"]
        ?? repositoryRoot + "/.cache/analysis-images"

    /// Whether the images exist or can be built here (building needs root, or sudo without a
    /// password).
    public static var available: Bool {
        getuid() == 0 || FileManager.default.fileExists(atPath: directory + "/docker-archive/debian-multi.tar")
            || ((try? Command.runBlocking(["sudo", "-n", "true"], environment: [:], directory: nil))?.succeeded ?? false)
    }

    private static let build = Task<String, any Error> {
        let result = try await Command.run([repositoryRoot + "/scripts/analysis-images.sh"])
        guard result.succeeded else { throw ImagesUnavailable(message: result.stderr) }
        return directory
    }

    struct ImagesUnavailable: Error, CustomStringConvertible {
        let message: String
        var description: String { "building the analysis test images failed:\n\(message)" }
    }

    public static func path(_ form: String, _ image: String) async throws -> String {
        let root = try await build.value
        return form == "oci" ? "\(root)/oci/\(image)" : "\(root)/docker-archive/\(image).tar"
    }

    /// The expectation table build.sh derives from the image trees (expect, type, name, version, why).
    public static func expectations() async throws -> [[String]] {
        let root = try await build.value
        let text = try String(contentsOfFile: root + "/debian-multi.expected.tsv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}
