import ArgumentParser
import Foundation
import Logging
import RegistryServer
import RegistryStorage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the registry.")

    @Option(name: .long, help: "Address to listen on, HOST:PORT (repeatable).")
    var listen: [String] = []

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; serves HTTPS with --tls-key.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("upload-expiry"), help: "Seconds after which an idle upload session is deleted.")
    var uploadExpiry: Int = 24 * 3600

    func run() async throws {
        let logger = makeLogger("drydock")
        let listeners = try (listen.isEmpty ? ["127.0.0.1:5000"] : listen).map {
            do { return try RegistryServer.Listener($0) } catch { throw CLIError("\(error)") }
        }
        var tls: RegistryServer.TLSFiles?
        switch (tlsCert, tlsKey) {
        case let (cert?, key?): tls = .init(certificate: cert, key: key)
        case (nil, nil): tls = nil
        default: throw CLIError("--tls-cert and --tls-key must be given together")
        }
        let store: RegistryStore
        do {
            store = try await RegistryStore.openEmbedded(directory: dataOptions.absoluteData, logger: logger, ownsTemporaryFiles: true)
        } catch {
            throw CLIError("cannot open the data directory \(dataOptions.data): \(error)")
        }
        var configuration = RegistryServer.Configuration(listeners: listeners, tls: tls)
        configuration.uploadExpiry = .seconds(uploadExpiry)
        let server = RegistryServer(store: store, configuration: configuration, logger: logger)
        let scheme = tls == nil ? "http" : "https"
        do {
            try await server.run { host, port in
                logger.notice("listening", metadata: ["address": "\(scheme)://\(host):\(port)", "data": "\(dataOptions.absoluteData)"])
            }
        } catch {
            await store.close()
            throw CLIError("server stopped: \(error)")
        }
        await store.close()
    }
}
