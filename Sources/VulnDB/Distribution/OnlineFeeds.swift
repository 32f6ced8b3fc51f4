import AsyncHTTPClient
import Foundation
import NIOCore
import ZIPFoundation

/// The public feeds `drydock db update` can build from when the machine has internet:
/// the OSV per-ecosystem archives (`<base>/<Ecosystem>/all.zip`, as osv.dev publishes them on
/// https://osv-vulnerabilities.storage.googleapis.com) and the Debian security tracker's JSON
/// (https://security-tracker.debian.org/tracker/data/json). Each feed is downloaded into a work
/// directory laid out the way the importers recognise, then built like any local source.
public enum OnlineFeeds {
    public static let osvBase = "https://osv-vulnerabilities.storage.googleapis.com"
    public static let debianTracker = "https://security-tracker.debian.org/tracker/data/json"
    /// OSV ecosystems whose archives we fetch by default (the ones the matchers understand).
    public static let defaultOSVEcosystems = ["PyPI", "Go", "crates.io", "npm", "Maven", "RubyGems", "Packagist", "NuGet"]
    static let maxDownload = 2 << 30

    /// Downloads and unpacks each ecosystem archive under `directory/osv/<Ecosystem>/`.
    public static func fetchOSV(base: String, ecosystems: [String], into directory: URL,
                                http: HTTPClient, progress: (String) -> Void) async throws -> [URL] {
        var roots: [URL] = []
        for ecosystem in ecosystems {
            let encoded = ecosystem.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ecosystem
            let url = "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(encoded)/all.zip"
            progress("downloading \(url)")
            let archive = directory.appendingPathComponent("\(ecosystem).zip")
            try await download(url, to: archive, http: http)
            let target = directory.appendingPathComponent("osv").appendingPathComponent(ecosystem)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            do {
                try FileManager.default.unzipItem(at: archive, to: target)
            } catch {
                throw VulnDBError("\(url) is not a readable zip archive: \(error)")
            }
            try? FileManager.default.removeItem(at: archive)
            roots.append(target)
        }
        return roots
    }

    /// Downloads the tracker JSON to `directory/debian-tracker/data.json`.
    public static func fetchDebianTracker(url: String, into directory: URL, http: HTTPClient,
                                          progress: (String) -> Void) async throws -> URL {
        progress("downloading \(url)")
        let target = directory.appendingPathComponent("debian-tracker")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try await download(url, to: target.appendingPathComponent("data.json"), http: http)
        return target
    }

    static func download(_ url: String, to file: URL, http: HTTPClient) async throws {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .minutes(30))
        guard response.status == .ok else {
            throw VulnDBError("GET \(url) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: file) else {
            throw VulnDBError("cannot write \(file.path)")
        }
        defer { try? handle.close() }
        var total = 0
        for try await chunk in response.body {
            total += chunk.readableBytes
            guard total <= maxDownload else { throw VulnDBError("\(url) is larger than \(maxDownload) bytes") }
            try handle.write(contentsOf: Data(chunk.readableBytesView))
        }
    }
}
