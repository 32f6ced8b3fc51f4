import Access
import Foundation
import Logging
import RegistryServer
import RegistryStorage

/// A real Drydock registry for tests: a fresh data directory, the real server on an ephemeral
/// loopback port, stopped (and its directory removed) by `stop()`.
public final class TestRegistry: Sendable {
    public let directory: String
    public let store: RegistryStore
    public let port: Int
    public let server: RegistryServer
    /// Access control when started with `access: true` (the admin's password is `adminPassword`).
    public let access: AccessController?
    /// Every bound listener as (host, port), public ones first, then private endpoints.
    public let listening: [(host: String, port: Int)]
    public static let adminPassword = "test-admin-password"
    private let task: Task<Void, any Error>

    public var address: String { "127.0.0.1:\(port)" }
    public var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameter access: serve with access control on (admin password `adminPassword`); without it
    ///   the registry lets everyone do everything, as the core API tests expect.
    public static func start(access: Bool = false,
                             configure: (inout RegistryServer.Configuration) -> Void = { _ in }) async throws -> TestRegistry {
        try await start(access: access, directory: nil) { _, _, _, configuration in configure(&configuration) }
    }

    /// - Parameters:
    ///   - directory: the data directory to use (kept by `stop(keepData: true)`), or nil for a new one.
    ///   - prepare: called with the store, access controller and data directory before the
    ///     server starts (to attach services that need the store, such as the defender).
    public static func start(
        access: Bool, directory: String?,
        prepare: (RegistryStore, AccessController?, String, inout RegistryServer.Configuration) async throws -> Void
    ) async throws -> TestRegistry {
        let directory = try directory ?? TemporaryDirectory.make(prefix: "drydock-test")
        var logger = Logger(label: "test-registry")
        logger.logLevel = .warning
        let store = try await RegistryStore.openEmbedded(directory: directory, logger: logger, ownsTemporaryFiles: true)
        var configuration = RegistryServer.Configuration(listeners: [try .init("127.0.0.1:0")])
        configuration.metrics = TestMetrics.exporter
        var controller: AccessController?
        if access {
            controller = try await AccessController.open(databasePath: directory + "/metadata.sqlite",
                                                         adminPassword: adminPassword, logger: logger)
            configuration.access = controller
        }
        try await prepare(store, controller, directory, &configuration)
        let expected = configuration.listeners.count + configuration.privateEndpoints.count
        let server = RegistryServer(store: store, configuration: configuration, logger: logger)
        let (stream, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let task = Task {
            try await server.run { host, port in continuation.yield((host, port)) }
        }
        var iterator = stream.makeAsyncIterator()
        var bound: [(host: String, port: Int)] = []
        while bound.count < expected, let next = await iterator.next() { bound.append((next.0, next.1)) }
        guard bound.count == expected else {
            throw TestSupportError("the test registry did not start")
        }
        // Public listeners first, in configuration order of kind.
        let privateHosts = Set(configuration.privateEndpoints.map(\.host))
        let publicHosts = Set(configuration.listeners.map(\.host))
        bound.sort { a, b in
            let pa = privateHosts.contains(a.host) && !publicHosts.contains(a.host)
            let pb = privateHosts.contains(b.host) && !publicHosts.contains(b.host)
            return !pa && pb
        }
        return TestRegistry(directory: directory, store: store, port: bound[0].port, server: server, access: controller,
                            listening: bound, task: task)
    }

    private init(directory: String, store: RegistryStore, port: Int, server: RegistryServer, access: AccessController?,
                 listening: [(host: String, port: Int)], task: Task<Void, any Error>) {
        self.server = server
        self.directory = directory
        self.store = store
        self.port = port
        self.access = access
        self.listening = listening
        self.task = task
    }

    public func stop(keepData: Bool = false) async {
        await server.stop()
        _ = try? await task.value
        await access?.close()
        await store.close()
        if !keepData { try? FileManager.default.removeItem(atPath: directory) }
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum TemporaryDirectory {
    public static func make(prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
