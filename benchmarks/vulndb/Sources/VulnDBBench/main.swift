import Foundation
import VulnDB

/// Lookup throughput of a built vulnerability database: N random (namespace, package) keys drawn
/// from the keys the database holds, looked up one after another and then 8 at a time.
///
///     vulndb-bench DATABASE [N]
@main
struct VulnDBBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: vulndb-bench DATABASE [N]\n".utf8))
            exit(2)
        }
        let count = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
        let db = try await VulnDatabase.open(path: arguments[1], connections: 4)
        let keys = try await db.packageKeys()
        var generator = SystemRandomNumberGenerator()
        let sample = (0..<count).map { _ in keys[Int.random(in: 0..<keys.count, using: &generator)] }

        var found = 0
        let sequentialStart = ContinuousClock.now
        for key in sample {
            found += try await db.affected(namespace: key.namespace, package: key.package).count
        }
        let sequential = ContinuousClock.now - sequentialStart

        let concurrentStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    var n = 0
                    for key in sample[(lane * count / 8)..<((lane + 1) * count / 8)] {
                        n += try await db.affected(namespace: key.namespace, package: key.package).count
                    }
                    return n
                }
            }
            for try await _ in group {}
        }
        let concurrent = ContinuousClock.now - concurrentStart
        await db.close()
        func rate(_ d: Duration) -> Int { Int(Double(count) / (Double(d.components.attoseconds) / 1e18 + Double(d.components.seconds))) }
        print("keys in database: \(keys.count)")
        print("lookups: \(count), entries returned: \(found)")
        print("sequential: \(rate(sequential)) lookups/s")
        print("8 concurrent: \(rate(concurrent)) lookups/s")
    }
}
