import Access
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import RegistryStorage
import ServiceLifecycle

/// RegistryServer: the HTTP face of Drydock — the OCI distribution v1.1 API over a
/// `RegistryStore`, on one or more listeners, with TLS, and the housekeeping a running registry
/// needs (flushing pull times, expiring abandoned uploads).
///
/// It does not know how images are scanned; later the scanner will reach the registry like any
/// other client and through registry events.
public final class RegistryServer: Sendable {
    public struct Listener: Sendable, Equatable {
        public var host: String
        public var port: Int

        /// `HOST:PORT`, `[v6]:PORT` or `:PORT`.
        public init(_ string: String) throws {
            var host = "0.0.0.0"
            var portPart = Substring(string)
            if string.hasPrefix("[") {
                guard let close = string.firstIndex(of: "]") else { throw ServerError("listen address '\(string)' is missing ']'") }
                host = String(string[string.index(after: string.startIndex)..<close])
                portPart = string[string.index(after: close)...].drop { $0 == ":" }
            } else if let colon = string.lastIndex(of: ":") {
                if colon != string.startIndex { host = String(string[..<colon]) }
                portPart = string[string.index(after: colon)...]
            }
            guard let port = Int(portPart), (0...65535).contains(port) else {
                throw ServerError("listen address '\(string)' needs HOST:PORT with a port from 0 to 65535")
            }
            self.host = host
            self.port = port
        }
    }

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public struct Configuration: Sendable {
        public var listeners: [Listener]
        public var tls: TLSFiles?
        /// Upload sessions idle longer than this are deleted.
        public var uploadExpiry: Duration = .seconds(24 * 3600)
        /// How often housekeeping runs.
        public var maintenanceInterval: Duration = .seconds(60)
        public var pullFlushInterval: Duration = .seconds(1)
        /// Access control (identities, network rules, resource logs). nil serves everyone
        /// everything — only for tests and benchmarks that measure the bare API; `drydock serve`
        /// always sets it unless told `--auth disabled`.
        public var access: AccessController?
        /// Extra listeners marked private: the public-access switch and IP rules do not apply.
        public var privateEndpoints: [Listener] = []
        /// Admin API route groups served for other modules (`/admin/<key>/…`), e.g. the defender's.
        public var adminExtensions: [String: AdminRouteHandler] = [:]
        /// The Harbor pluggable scanner API (`/api/v1/metadata`, `/api/v1/scan`,
        /// `/api/v1/scan/{id}/report`), served for any signed-in identity; the handler answers
        /// its own errors in the API's format.
        public var scannerAdapter: AdminRouteHandler?
        /// Renders the process's metrics in Prometheus' text format for `/metrics` (nil: no such
        /// endpoint). With access control on, any signed-in identity may read it.
        public var metrics: (@Sendable () -> String)?
        /// The browser dashboard, served at `/ui/` on every listener when access control is on.
        public var web: WebRouteHandler?
        /// Services that run and stop with the server (the defender).
        public var services: [any Service] = []
        /// Called after the admin API changed the network rules (blocked scans try again at once).
        public var onNetworkRulesChanged: (@Sendable () async -> Void)?
        /// Where imports keep blobs while they are verified (the data directory's `tmp/`).
        public var temporaryDirectory: String = NSTemporaryDirectory()
        /// Timeouts and limits per client connection.
        public var connections = ConnectionLimits()

        public init(listeners: [Listener], tls: TLSFiles? = nil) {
            self.listeners = listeners
            self.tls = tls
        }
    }

    public let store: RegistryStore
    public let configuration: Configuration
    public let logger: Logger
    private let group = NIOLockedValueBox<ServiceGroup?>(nil)

    public init(store: RegistryStore, configuration: Configuration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT (or until the task is cancelled), then stops accepting, lets
    /// in-flight requests finish and flushes pending pull times.
    /// - Parameter onListening: called with each bound address (the port is real when 0 was asked).
    public func run(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) async throws {
        let tlsConfiguration = try configuration.tls.map(Self.tlsConfiguration)
        let api = RegistryAPI(store: store)
        var services: [any Service] = []
        let scheme = configuration.tls == nil ? "http" : "https"
        let privateNames = configuration.privateEndpoints.map { "\($0.host):\($0.port)" }
        let all = configuration.listeners.map { ($0, false) } + configuration.privateEndpoints.map { ($0, true) }
        for (listener, isPrivate) in all {
            let address = BindAddress.hostname(listener.host, port: listener.port)
            let onRunning: @Sendable (any Channel) async -> Void = { channel in
                let port = channel.localAddress?.port ?? listener.port
                await onListening(listener.host, port)
            }
            // One builder per listener: its own count of connections per address.
            let serverBuilder = ZeroCopyHTTPChannel.builder(limits: configuration.connections, tls: tlsConfiguration)
            let app: any Service
            if let access = configuration.access {
                let gate = AccessGate(api: api, access: access, isPrivate: isPrivate, scheme: scheme, privateEndpoints: privateNames,
                                      store: store, configuration: configuration, logger: logger)
                app = Self.application(MeasuredResponder(inner: gate, exporter: nil), serverBuilder, address, onRunning, logger)
            } else {
                app = Self.application(MeasuredResponder(inner: api, exporter: configuration.metrics), serverBuilder, address, onRunning, logger)
            }
            services.append(app)
        }
        services.append(Housekeeping(store: store, configuration: configuration, logger: logger))
        services.append(ExternalChangeWatch(store: store))
        services += configuration.services
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        self.group.withLockedValue { $0 = group }
        try await group.run()
        try? await store.pulls.flush()
        store.events.finish()
        await configuration.access?.flushLogs()
    }

    private static func application<R: HTTPResponder>(
        _ responder: R, _ server: HTTPServerBuilder, _ address: BindAddress,
        _ onRunning: @escaping @Sendable (any Channel) async -> Void, _ logger: Logger
    ) -> any Service where R.Context == RegistryRequestContext {
        Application(responder: responder, server: server,
                    configuration: .init(address: address, serverName: nil),
                    onServerRunning: onRunning, logger: logger)
    }

    /// Stops the way SIGTERM does: no new connections, in-flight requests finish.
    public func stop() async {
        await group.withLockedValue { $0 }?.triggerGracefulShutdown()
    }

    static func tlsConfiguration(_ files: TLSFiles) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw ServerError("cannot load TLS certificate \(files.certificate) / key \(files.key): \(error)")
        }
    }
}

public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Notices metadata commits by other processes (`drydock gc --apply` beside the server), so the
/// manifest cache serves nothing they changed for longer than a tenth of a second.
struct ExternalChangeWatch: Service {
    let store: RegistryStore

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await store.metadata.watchExternalChanges(every: .milliseconds(100))
        }
        // Had the watcher given up (it logs why), returning now would stop the whole server.
        if !Task.isCancelled && !Task.isShuttingDownGracefully { try await gracefulShutdown() }
    }
}

/// Periodic work of a running registry: pull times to disk every second, abandoned uploads
/// expired every `maintenanceInterval`.
struct Housekeeping: Service {
    let store: RegistryStore
    let configuration: RegistryServer.Configuration
    let logger: Logger

    /// `drydock_storage_bytes` and `drydock_stored_blobs`: what the registry holds.
    func recordStorageSize() async {
        guard let blobs = try? await store.metadata.allBlobs() else { return }
        Gauge(label: "drydock_storage_bytes").record(blobs.reduce(Int64(0)) { $0 + $1.size })
        Gauge(label: "drydock_stored_blobs").record(blobs.count)
    }

    func run() async throws {
        var sinceMaintenance = Duration.zero
        await recordStorageSize()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await gracefulShutdownAwareSleep(configuration.pullFlushInterval)
            do {
                try await store.pulls.flush()
            } catch {
                logger.warning("could not record pull times", metadata: ["error": "\(error)"])
            }
            await configuration.access?.flushLogs()
            sinceMaintenance += configuration.pullFlushInterval
            if sinceMaintenance >= configuration.maintenanceInterval {
                await recordStorageSize()
                sinceMaintenance = .zero
                do {
                    let expiry = Double(configuration.uploadExpiry.components.seconds)
                    let expired = try await store.expireUploads(maxIdle: expiry)
                    if expired > 0 { logger.info("expired abandoned uploads", metadata: ["count": "\(expired)"]) }
                } catch {
                    logger.warning("upload expiry failed", metadata: ["error": "\(error)"])
                }
                if let access = configuration.access {
                    do {
                        let removed = try await access.applyRetention()
                        if removed > 0 { logger.info("removed resource log rows past retention", metadata: ["count": "\(removed)"]) }
                    } catch {
                        logger.warning("resource log retention failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
        try? await store.pulls.flush()
    }

    private func gracefulShutdownAwareSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
