import Foundation

/// Runs real programs (skopeo, podman, python3, the drydock binary) from tests.
public enum Command {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments[0]` (looked up on PATH) to completion. The wait happens on a thread of its
    /// own: blocking a Swift concurrency thread would starve the in-process test registry the
    /// program is talking to (the cooperative pool has one thread per core).
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, environment: environment, directory: directory) })
            }
            thread.start()
        }
    }

    /// The same, blocking the calling thread (for test traits evaluated outside async code).
    public static func runBlocking(_ arguments: [String], environment: [String: String], directory: String?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a chatty program cannot block on a full pipe.
        let errData = LockedData()
        let errReader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        while !errData.isSet { Thread.sleep(forTimeInterval: 0.005) }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    public static func exists(_ name: String) -> Bool {
        (try? runBlocking(["sh", "-c", "command -v \(name)"], environment: [:], directory: nil))?.succeeded ?? false
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false
    func set(_ d: Data) { lock.lock(); data = d; done = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
