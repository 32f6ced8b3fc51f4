import Analysis
import ArgumentParser
import Foundation
import Matching
import Reports
import VulnDB

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan an image for vulnerabilities and say how to remediate each.",
        discussion: """
            Exit codes: 0 when the scan ran (whatever it found), --exit-code N when findings remain \
            after the filters, 1 on errors.
            """)

    @OptionGroup var imageOptions: ImageOptions

    @Option(help: "The vulnerability database (default: $DRYDOCK_DB or ~/.cache/drydock/vulndb.sqlite).")
    var db: String = DB.defaultPath

    @Option(help: "table (default), json (docs/scan-json.md), sarif (2.1.0) or cyclonedx (1.6 with vulnerabilities).")
    var format: String = "table"

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(help: "Only these severities, comma-separated (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN).")
    var severity: String?

    @Flag(help: "Leave out findings without a fixed version.")
    var ignoreUnfixed = false

    @Option(help: "Exit with this code when findings remain after the filters (for CI gates).")
    var exitCode: Int32 = 0

    @Option(help: "A YAML ignore file: entries with id, justification, optional package and expires.")
    var ignoreFile: String?

    @Option(help: "An OpenVEX document; not_affected and fixed statements suppress findings. Repeatable.")
    var vex: [String] = []

    @Option(help: "Severity source order, comma-separated classes (default: distro,ghsa,nvd,other).")
    var severitySources: String?

    @Option(name: .customLong("max-db-age"), help: "Warn when the database is older than this many hours.")
    var maxDBAge: Double = Double(ProcessInfo.processInfo.environment["DRYDOCK_DB_MAX_AGE_HOURS"] ?? "") ?? 72

    func run() async throws {
        guard let chosen = ScanFormat(rawValue: format) else {
            throw CLIError("unknown format '\(format)' (use \(ScanFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let filter = try makeFilter()
        guard FileManager.default.fileExists(atPath: db) else {
            throw CLIError("no vulnerability database at \(db): run `drydock db update` or `drydock db build`, or pass --db")
        }
        let database: VulnDatabase
        do { database = try await VulnDatabase.open(path: db) } catch { throw CLIError("cannot open \(db): \(error)") }
        do {
            let info = try await database.info()
            if info.age > maxDBAge * 3600 {
                warn("the database is \(DB.Info.describe(age: info.age)) old (more than \(Int(maxDBAge)) h); run `drydock db update`")
            }
            let progress = ScanProgress(enabled: isatty(STDERR_FILENO) == 1)
            var analyzer = try imageOptions.makeAnalyzer()
            analyzer.progress = { progress.report($0) }
            let inventories = try await imageOptions.inventories(using: analyzer)
            progress.finish()
            var matcher = Matcher(database: database)
            if let severitySources { matcher.severity = SeverityChoice(order: severitySources.split(separator: ",").map { $0.lowercased() }) }
            var scans: [(inventory: ImageInventory, report: ScanReport)] = []
            for inventory in inventories {
                scans.append((inventory, try await ScanReport.make(inventory: inventory, matcher: matcher, filter: filter)))
            }
            await database.close()
            let colour = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let text = try chosen.render(scans, database: .init(path: db, builtAt: info.builtAt, schemaVersion: info.schemaVersion), colour: colour)
            if let output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                    throw CLIError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            if exitCode != 0, scans.contains(where: { !$0.report.findings.isEmpty }) {
                throw ExitCode(exitCode)
            }
        } catch {
            await database.close()
            throw error
        }
    }

    private func makeFilter() throws -> ScanFilter {
        var filter = ScanFilter()
        filter.ignoreUnfixed = ignoreUnfixed
        if let severity {
            var levels: Set<SeverityLevel> = []
            for word in severity.split(separator: ",") {
                guard let level = SeverityLevel(rawValue: word.trimmingCharacters(in: .whitespaces).uppercased()) else {
                    throw CLIError("unknown severity '\(word)' (use CRITICAL, HIGH, MEDIUM, LOW, NONE, UNKNOWN)")
                }
                levels.insert(level)
            }
            filter.severities = levels
        }
        do {
            if let ignoreFile { filter.ignoreRules = try IgnoreFile.load(ignoreFile) }
            for path in vex { filter.vex += try OpenVEX.load(path) }
        } catch {
            throw CLIError("\(error)")
        }
        return filter
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }
}

/// "layers 3/5 analysed" on one rewritten line of a terminal; nothing otherwise.
final class ScanProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var cached = 0

    init(enabled: Bool) { self.enabled = enabled }

    func report(_ event: ImageAnalyzer.Progress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .resolved(let platform, let layers):
            total = layers
            done = 0
            cached = 0
            write("\(platform ?? "image"): \(layers) layers")
        case .layerStarted(let index, _, let size):
            write("layers \(done)/\(total) analysed; reading layer \(index + 1) (\(size / 1_000_000) MB)")
        case .layerFinished(_, _, let fromCache):
            done += 1
            if fromCache { cached += 1 }
            write("layers \(done)/\(total) analysed\(cached > 0 ? " (\(cached) from cache)" : "")")
        }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }
}
