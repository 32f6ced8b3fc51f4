import Logging

/// swift-log's `StreamLogHandler` writing to standard error, with its metadata rendered when a
/// line is written rather than whenever metadata changes. The server's framework attaches a
/// request ID to the logger of every request; the stock handler formatted (and sorted) all of a
/// logger's metadata each time, for lines that at the default level are never written — a few
/// per cent of a small request's CPU.
struct StderrLogHandler: LogHandler {
    private var output: StreamLogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        output = StreamLogHandler.standardError(label: label, metadataProvider: nil)
        metadataProvider = LoggingSystem.metadataProvider
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The stock precedence: the logger's metadata, then the provider's, then the line's own.
    func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        event.metadata = merged
        output.log(event: event)
    }
}
