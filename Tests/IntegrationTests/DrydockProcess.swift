#if canImport(Glibc)
import Glibc
#endif
import DrydockTestSupport
import Foundation

/// The real `drydock serve` binary as a child process on an ephemeral port (read from its log).
final class DrydockProcess {
    let process = Process()
    let log: String
    var port = 0

    /// - Parameter auth: `drydock serve` has access control on by default; the storage and crash
    ///   tests here exercise the bare API, so they pass `--auth disabled` unless told otherwise.
    init(binary: String, data: String, extraArguments: [String] = [], auth: Bool = false, environment: [String: String] = [:]) throws {
        log = data + ".log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", data] + (auth ? [] : ["--auth", "disabled"]) + extraArguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
               let range = text.range(of: "://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { self.port = port; return }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw TestSupportError("drydock serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status.
func terminate() -> Int32 {
    process.terminate()
    process.waitUntilExit()
    return process.terminationStatus
}

func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
