import ArgumentParser
import Foundation
import Logging

/// The `drydock` command: argument parsing and wiring only. Each subcommand lives in its own file
/// and calls into the library modules.
@main
struct Drydock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drydock",
        abstract: "A self-hosted OCI registry with vulnerability scanning built in.",
        subcommands: [Serve.self, GC.self, Fsck.self, DB.self, SBOM.self, Scan.self,
                      TokenCommand.self, UserCommand.self, NetworkCommand.self, LogsCommand.self,
                      DefenderCommand.self, FindingsCommand.self, ExemptionCommand.self, UsageCommand.self, WebhookCommand.self, ImportCommand.self]
    )
}

/// Options shared by commands that work on the embedded store.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding the registry's blobs and metadata.")
    var data: String = ProcessInfo.processInfo.environment["DRYDOCK_DATA"] ?? "./drydock-data"

    var absoluteData: String {
        data.hasPrefix("/") ? data : FileManager.default.currentDirectoryPath + "/" + data
    }
}

/// The process's logging goes to stderr; bootstrapped once, whichever logger is made first.
private let loggingBootstrap: Void = LoggingSystem.bootstrap { StderrLogHandler(label: $0) }

func makeLogger(_ label: String) -> Logger {
    _ = loggingBootstrap
    var logger = Logger(label: label)
    let level = ProcessInfo.processInfo.environment["DRYDOCK_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .info
    return logger
}

/// A failure the user can act on: printed as one line, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
