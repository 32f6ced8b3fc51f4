import DrydockTestSupport
import Foundation
import Hummingbird
import OCI
import RegistryClient
import Testing
import Versioning
@testable import VulnDB
import ZIPFoundation

/// The database file end to end: built from the fixtures, looked up, published to a real
/// Drydock as an OCI artifact and pulled back, and built from the online feed layouts served
/// over loopback.
@Suite struct DatabaseTests {
    static func buildFixtureDatabase() async throws -> (path: String, report: DatabaseBuilder.Report) {
        let dir = try TemporaryDirectory.make(prefix: "vulndb")
        let path = dir + "/vulndb.sqlite"
        let report = try await DatabaseBuilder.build(roots: [Fixtures.root], output: path)
        return (path, report)
    }

    @Test func buildsAndLooksUpByNamespaceAndPackage() async throws {
        let (path, report) = try await Self.buildFixtureDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(report.sources.contains { $0.format == "osv" })
        #expect(report.sources.contains { $0.skipped > 0 }, "the malformed fixtures are counted as skipped")

        let db = try await VulnDatabase.open(path: path)
        let django = try await db.affected(namespace: "pypi", package: "django")
        let entry = try #require(django.first { $0.vulnerabilityID == "PYSEC-2016-2" })
        #expect(entry.fixedVersions.contains("1.8.14"))
        #expect(try entry.isAffected(version: "1.8.13"))
        #expect(!(try entry.isAffected(version: "1.8.14")))

        let webp = try await db.affected(namespace: "debian:12", package: "libwebp")
        #expect(!webp.isEmpty)
        #expect(webp.allSatisfy { $0.ecosystem == .dpkg })

        // By id and by alias.
        #expect(try await db.vulnerability(id: "PYSEC-2016-2")?.aliases.contains("CVE-2016-6186") == true)
        #expect(try await db.vulnerability(id: "CVE-2016-6186")?.id != nil)
        #expect(try await db.affected(namespace: "pypi", package: "no-such-package").isEmpty)

        let info = try await db.info()
        #expect(info.schemaVersion == VulnDatabase.schemaVersion)
        #expect(info.vulnerabilities > 0 && info.affectedPackages > 0)
        #expect(info.age < 600)
        await db.close()
    }

    @Test func refusesMissingAndForeignFiles() async throws {
        let dir = try TemporaryDirectory.make(prefix: "vulndb-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        await #expect(throws: VulnDBError.self) { try await VulnDatabase.open(path: dir + "/absent.sqlite") }
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: dir + "/garbage.sqlite"))
        await #expect(throws: VulnDBError.self) { try await VulnDatabase.open(path: dir + "/garbage.sqlite") }
        await #expect(throws: VulnDBError.self) {
            try await DatabaseBuilder.build(roots: [URL(fileURLWithPath: dir + "/nothing")], output: dir + "/out.sqlite")
        }
        // A failed build leaves no file behind, not even a partial one.
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        await #expect(throws: VulnDBError.self) {
            try await DatabaseBuilder.build(roots: [URL(fileURLWithPath: dir + "/empty")], output: dir + "/out.sqlite")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("out") }.isEmpty)
    }

    @Test func pushAndPullAsOCIArtifact() async throws {
        let (path, _) = try await Self.buildFixtureDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        var options = RegistryClient.Options()
        options.plainHTTP = true
        let client = try RegistryClient(registry: registry.address, options: options)
        let reference = try ImageReference("\(registry.address)/drydock/vulndb:1")
        let digest = try await DatabaseArtifact.push(file: path, to: reference, client: client)

        let manifest = try await client.manifest(reference.repository, reference: .digest(digest))
        let parsed = try ParsedManifest.parse(manifest.bytes, contentType: manifest.mediaType)
        #expect(parsed.artifactType == DatabaseArtifact.artifactType)

        let target = (path as NSString).deletingLastPathComponent + "/pulled.sqlite"
        let info = try await DatabaseArtifact.pull(from: reference, to: target, client: client)
        let original = try await VulnDatabase.open(path: path)
        #expect(info.vulnerabilities == (try await original.info()).vulnerabilities)
        await original.close()
        #expect(FileManager.default.contentsEqual(atPath: path, andPath: target))

        // Something that is not a database is refused and nothing is installed.
        let image = try await client.uploadBlob(reference.repository, bytes: Array("{}".utf8))
        let other = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: image, size: 2), layers: [])
        try await client.putManifest(reference.repository, reference: .tag(try Tag("not-a-db")), bytes: other.canonicalJSON(), mediaType: MediaType.ociManifest)
        let elsewhere = (path as NSString).deletingLastPathComponent + "/never.sqlite"
        await #expect(throws: VulnDBError.self) {
            try await DatabaseArtifact.pull(from: try ImageReference("\(registry.address)/drydock/vulndb:not-a-db"), to: elsewhere, client: client)
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        await client.shutdown()
    }

    /// The layouts `drydock db update` fetches on a machine with internet, served from loopback:
    /// `<base>/<Ecosystem>/all.zip` as osv.dev publishes them, and the Debian tracker's JSON.
    @Test func updatesFromOSVArchivesAndDebianTracker() async throws {
        let served = try TemporaryDirectory.make(prefix: "feeds")
        defer { try? FileManager.default.removeItem(atPath: served) }
        let pypiZip = URL(fileURLWithPath: served + "/PyPI/all.zip")
        try FileManager.default.createDirectory(atPath: served + "/PyPI", withIntermediateDirectories: true)
        let archive = try Archive(url: pypiZip, accessMode: .create)
        let vulns = Fixtures.url("pypi/pypa-advisory-database/vulns/django")
        for file in try FileManager.default.contentsOfDirectory(atPath: vulns.path) {
            // osv.dev's archives hold JSON; convert the fixture YAML through the importer's own reader.
            let yaml = try String(contentsOf: vulns.appendingPathComponent(file), encoding: .utf8)
            let json = try Self.yamlToJSON(yaml)
            try archive.addEntry(with: file.replacingOccurrences(of: ".yaml", with: ".json"), type: .file,
                                 uncompressedSize: Int64(json.count), provider: { position, size in
                                     json.subdata(in: Int(position)..<Int(position) + size)
                                 })
        }
        try FileManager.default.createDirectory(atPath: served + "/tracker", withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("debian-tracker/json"), to: URL(fileURLWithPath: served + "/tracker/json"))

        let router = Router()
        router.addMiddleware { FileMiddleware(served, searchForIndexHtml: false) }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var ports = stream.makeAsyncIterator()
        let port = try #require(await ports.next())

        let work = URL(fileURLWithPath: try TemporaryDirectory.make(prefix: "update"))
        defer { try? FileManager.default.removeItem(at: work) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        _ = try await OnlineFeeds.fetchOSV(base: "http://127.0.0.1:\(port)", ecosystems: ["PyPI"], into: work, http: http) { _ in }
        _ = try await OnlineFeeds.fetchDebianTracker(url: "http://127.0.0.1:\(port)/tracker/json", into: work, http: http) { _ in }
        await #expect(throws: VulnDBError.self) {
            _ = try await OnlineFeeds.fetchOSV(base: "http://127.0.0.1:\(port)", ecosystems: ["NoSuchEcosystem"], into: work, http: http) { _ in }
        }
        try await http.shutdown()

        let output = work.path + "/db.sqlite"
        let report = try await DatabaseBuilder.build(roots: [work], output: output)
        #expect(Set(report.sources.map(\.format)) == ["osv", "debian-tracker"])
        let db = try await VulnDatabase.open(path: output)
        #expect(try await db.affected(namespace: "pypi", package: "django").count == 3)
        let openssl = try await db.affected(namespace: "debian:12", package: "openssl")
        #expect(openssl.contains { $0.vulnerabilityID == "CVE-2023-5678" && $0.status == .fixed && $0.fixedVersions == ["3.0.13-1~deb12u1"] })
        await db.close()
    }

    static func yamlToJSON(_ yaml: String) throws -> Data {
        let object = try Yams.load(yaml: yaml)
        return try JSONSerialization.data(withJSONObject: Self.jsonSafe(object ?? [:]))
    }

    /// YAML timestamps load as Dates; OSV JSON carries them as strings.
    static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let d as [String: Any]: return d.mapValues(jsonSafe)
        case let a as [Any]: return a.map(jsonSafe)
        case let date as Date: return ISO8601DateFormatter().string(from: date)
        default: return value
        }
    }
}

import AsyncHTTPClient
import Yams
