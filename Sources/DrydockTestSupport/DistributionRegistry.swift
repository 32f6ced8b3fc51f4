import Foundation

/// A real CNCF Distribution (Debian's `docker-registry`) on a loopback port, with its own storage
/// directory, optionally posting its notifications somewhere. Tests start and stop it.
/// `@unchecked`: the process handle is only started, terminated and waited on.
public final class DistributionRegistry: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private let process: Process

    public var address: String { "127.0.0.1:\(port)" }
    public var url: String { "http://127.0.0.1:\(port)" }

    public static let binary = "/usr/bin/docker-registry"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// A notification endpoint of Distribution's configuration (`notifications.endpoints`).
    public struct Notifications: Sendable {
        public var url: String
        public var headers: [String: String]
        public init(url: String, headers: [String: String] = [:]) {
            self.url = url
            self.headers = headers
        }
    }

    public static func start(notifications: [Notifications] = []) async throws -> DistributionRegistry {
        guard isInstalled else { throw TestSupportError("docker-registry is not installed (apt-get install docker-registry)") }
        let directory = try TemporaryDirectory.make(prefix: "distribution")
        let port = try freeLoopbackPort()
        var config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(directory)/storage
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)

            """
        if !notifications.isEmpty {
            config += "notifications:\n  endpoints:\n"
            for (index, endpoint) in notifications.enumerated() {
                config += "    - name: endpoint\(index)\n      url: \(endpoint.url)\n      timeout: 5s\n      threshold: 3\n      backoff: 1s\n"
                if !endpoint.headers.isEmpty {
                    config += "      headers:\n"
                    for (name, value) in endpoint.headers { config += "        \(name): [\"\(value)\"]\n" }
                }
            }
        }
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = directory + "/registry.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        let registry = DistributionRegistry(port: port, directory: directory, process: process)
        // Ready when /v2/ answers.
        for _ in 0..<100 {
            let probe = try await Command.run(["curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/v2/"])
            if probe.succeeded { return registry }
            try await Task.sleep(for: .milliseconds(100))
        }
        registry.stop()
        throw TestSupportError("docker-registry did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    private init(port: Int, directory: String, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port nothing listens on now (bound once by the kernel's choice, then released).
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw TestSupportError("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
