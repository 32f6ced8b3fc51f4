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
    private let task: Task<Void, any Error>

    public var address: String { "127.0.0.1:\(port)" }
    public var url: String { "http://127.0.0.1:\(port)" }

    public static func start(configure: (inout RegistryServer.Configuration) -> Void = { _ in }) async throws -> TestRegistry {
        let directory = try TemporaryDirectory.make(prefix: "drydock-test")
        var logger = Logger(label: "test-registry")
        logger.logLevel = .warning
        let store = try await RegistryStore.openEmbedded(directory: directory, logger: logger, ownsTemporaryFiles: true)
        var configuration = RegistryServer.Configuration(listeners: [try .init("127.0.0.1:0")])
        configure(&configuration)
        let server = RegistryServer(store: store, configuration: configuration, logger: logger)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            try await server.run { _, port in continuation.yield(port) }
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw TestSupportError("the test registry did not start")
        }
        return TestRegistry(directory: directory, store: store, port: port, server: server, task: task)
    }

    private init(directory: String, store: RegistryStore, port: Int, server: RegistryServer, task: Task<Void, any Error>) {
        self.server = server
        self.directory = directory
        self.store = store
        self.port = port
        self.task = task
    }

    public func stop() async {
        await server.stop()
        _ = try? await task.value
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
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
