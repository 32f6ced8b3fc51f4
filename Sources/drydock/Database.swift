import ArgumentParser
import AsyncHTTPClient
import Foundation
import OCI
import RegistryClient
import VulnDB

/// `drydock db …`: build, inspect, publish, fetch and update the vulnerability database.
struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Build, inspect, publish and update the vulnerability database.",
        subcommands: [Build.self, Info.self, Push.self, Pull.self, Update.self, Upload.self])

    /// `$DRYDOCK_DB`, else `$XDG_CACHE_HOME/drydock/vulndb.sqlite` (`~/.cache/…`).
    static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["DRYDOCK_DB"] { return path }
        let cache = env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        return cache + "/drydock/vulndb.sqlite"
    }

    static func ensureParent(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Build a database from advisory data on disk (each data set's format is recognised).")

        @Option(name: .long, parsing: .upToNextOption, help: "Directories with advisory data (repeatable).")
        var source: [String]

        @Option(name: .long, help: "The database file to write.")
        var out: String = DB.defaultPath

        func run() async throws {
            guard !source.isEmpty else { throw CLIError("give at least one --source DIR") }
            try DB.ensureParent(of: out)
            let report: DatabaseBuilder.Report
            do {
                report = try await DatabaseBuilder.build(roots: source.map { URL(fileURLWithPath: $0) }, output: out) {
                    FileHandle.standardError.write(Data(($0 + "\n").utf8))
                }
            } catch {
                throw CLIError("db build failed: \(error)")
            }
            for s in report.sources where s.skipped > 0 {
                print("\(s.source): skipped \(s.skipped) (e.g. \(s.skippedSamples.prefix(3).joined(separator: "; ")))")
            }
            print("wrote \(report.output): \(report.vulnerabilities) vulnerabilities, \(report.affectedPackages) package entries from \(report.sources.count) sources in \(String(format: "%.1f", report.seconds)) s")
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a database's schema, age and sources.")

        @Argument(help: "The database file (default: the configured one).")
        var file: String = DB.defaultPath

        @Option(name: .long, help: "Output: table or json.")
        var output: String = "table"

        @Option(name: .customLong("max-age"), help: "Warn when the database is older than this many hours.")
        var maxAge: Double = Double(ProcessInfo.processInfo.environment["DRYDOCK_DB_MAX_AGE_HOURS"] ?? "") ?? 72

        func run() async throws {
            let database: VulnDatabase
            do { database = try await VulnDatabase.open(path: file) } catch { throw CLIError("\(error)") }
            let info = try await database.info()
            await database.close()
            if output == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(info), as: UTF8.self))
            } else {
                print("database:       \(file)")
                print("schema version: \(info.schemaVersion)")
                print("built:          \(ISO8601DateFormatter().string(from: info.builtAt)) (\(Self.describe(age: info.age)) ago)")
                print("size:           \(info.fileSize / 1_000_000) MB")
                print("contents:       \(info.vulnerabilities) vulnerabilities, \(info.affectedPackages) package entries")
                print("sources:")
                for s in info.sources {
                    print("  \(s.name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(s.format.padding(toLength: 20, withPad: " ", startingAt: 0)) \(s.records) records, \(s.affectedPackages) packages, \(s.skipped) skipped")
                }
            }
            if info.age > maxAge * 3600 {
                FileHandle.standardError.write(Data("warning: the database is \(Self.describe(age: info.age)) old (more than \(Int(maxAge)) h); run `drydock db update`\n".utf8))
            }
        }

        static func describe(age: TimeInterval) -> String {
            if age < 3600 { return "\(Int(age / 60)) min" }
            if age < 2 * 86400 { return "\(Int(age / 3600)) h" }
            return "\(Int(age / 86400)) days"
        }
    }

    struct RegistryOptions: ParsableArguments {
        @Flag(name: .long, help: "Use plain HTTP.")
        var insecure = false
        @Option(name: .long) var username: String?
        @Option(name: .long) var password: String?

        /// Runs `body` with a client for `reference`'s registry, shut down afterwards; failures
        /// become one line prefixed with `what`.
        func withClient<T>(for reference: String, _ what: String,
                           _ body: (ImageReference, RegistryClient) async throws -> T) async throws -> T {
            let ref: ImageReference
            do { ref = try ImageReference(reference) } catch { throw CLIError("\(error)") }
            var options = RegistryClient.Options()
            options.plainHTTP = insecure
            if let username, let password { options.credentials = Credentials(username: username, password: password) }
            let client = try RegistryClient(registry: ref.registry, options: options)
            do {
                let value = try await body(ref, client)
                await client.shutdown()
                return value
            } catch {
                await client.shutdown()
                throw CLIError("\(what) failed: \(error)")
            }
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "push", abstract: "Publish a database file as an OCI artifact.")
        @Argument var file: String
        @Argument var reference: String
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            try await registry.withClient(for: reference, "db push") { ref, client in
                let digest = try await DatabaseArtifact.push(file: file, to: ref, client: client)
                print("pushed \(file) to \(ref.registry)/\(ref.repository)@\(digest)")
            }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Fetch a database published with `db push`.")
        @Argument var reference: String
        @Option(name: .long, help: "Where to install it.") var out: String = DB.defaultPath
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            try DB.ensureParent(of: out)
            try await registry.withClient(for: reference, "db pull") { ref, client in
                let info = try await DatabaseArtifact.pull(from: ref, to: out, client: client)
                print("installed \(out): \(info.vulnerabilities) vulnerabilities, built \(ISO8601DateFormatter().string(from: info.builtAt))")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Update the database from the configured source.",
            discussion: """
                Sources (--source, or DRYDOCK_DB_SOURCE): oci:REFERENCE (a database published with \
                `db push`), osv[:BASE_URL] (the OSV per-ecosystem archives, default \(OnlineFeeds.osvBase)), \
                debian-tracker[:URL] (the Debian security tracker JSON). Several may be given; online \
                feeds are combined into one new database.
                """)

        @Option(name: .long, help: "Update source (repeatable).")
        var source: [String] = (ProcessInfo.processInfo.environment["DRYDOCK_DB_SOURCE"] ?? "osv,debian-tracker")
            .split(separator: ",").map(String.init)

        @Option(name: .long, help: "OSV ecosystems to fetch.")
        var ecosystems: String = OnlineFeeds.defaultOSVEcosystems.joined(separator: ",")

        @Option(name: .long, help: "Where to install the database.") var out: String = DB.defaultPath
        @OptionGroup var registry: RegistryOptions

        func run() async throws {
            try DB.ensureParent(of: out)
            if let oci = source.first(where: { $0.hasPrefix("oci:") }) {
                try await registry.withClient(for: String(oci.dropFirst(4)), "db update") { ref, client in
                    let info = try await DatabaseArtifact.pull(from: ref, to: out, client: client)
                    print("updated \(out) from \(ref): \(info.vulnerabilities) vulnerabilities")
                }
                return
            }
            let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("drydock-db-update-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let say: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            do {
                for spec in source {
                    let (kind, argument) = Self.split(spec)
                    switch kind {
                    case "osv":
                        _ = try await OnlineFeeds.fetchOSV(base: argument ?? OnlineFeeds.osvBase,
                                                           ecosystems: ecosystems.split(separator: ",").map(String.init),
                                                           into: work, http: http, progress: say)
                    case "debian-tracker":
                        _ = try await OnlineFeeds.fetchDebianTracker(url: argument ?? OnlineFeeds.debianTracker, into: work, http: http, progress: say)
                    default:
                        throw CLIError("unknown update source '\(spec)': use oci:REF, osv[:URL] or debian-tracker[:URL]")
                    }
                }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw CLIError("db update failed: \(error)")
            }
            do {
                let report = try await DatabaseBuilder.build(roots: [work], output: out, progress: say)
                print("updated \(out): \(report.vulnerabilities) vulnerabilities from \(report.sources.count) sources")
            } catch {
                throw CLIError("db update failed while building: \(error)")
            }
        }

        static func split(_ spec: String) -> (String, String?) {
            guard let colon = spec.firstIndex(of: ":") else { return (spec, nil) }
            return (String(spec[..<colon]), String(spec[spec.index(after: colon)...]))
        }
    }

    /// `drydock db upload FILE`: installs a database on a running server (the defender re-matches
    /// every stored inventory against it).
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upload", abstract: "Install a database file on a running server (PUT /admin/vulndb).")
        @Argument(help: "A database built by `drydock db build` or `db update`.") var file: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let answer = try await admin.client().raw(.PUT, "/admin/vulndb", data: data, contentType: "application/vnd.sqlite3")
            let info = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] ?? [:]
            print("installed \(file) on the server: \(info["vulnerabilities"] as? Int ?? 0) vulnerabilities, built \(info["builtAt"] as? String ?? "?")")
        }
    }
}
