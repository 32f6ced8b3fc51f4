import Analysis
import Defender
import Foundation
import Logging
import Matching
import Reports

// The defender's bulk paths on a store of many images, without a registry:
//   defender-bench FIRST.sqlite YESTERDAY.sqlite TODAY.sqlite COUNT INVENTORY.json
// Seeds COUNT images whose inventories are variants of INVENTORY.json (`drydock sbom --format
// json`; each image leaves out a different 5% of the packages, so no two evaluations are the
// same) and matches them all against FIRST. Then two database updates, each installed the way
// `drydock db update` installs one (renamed over the file) and timed until every image is
// matched against it: FIRST → YESTERDAY, where most advisory keys change (the worst case: every
// image is matched again), and YESTERDAY → TODAY, a day's new advisories (only images with a
// package under a changed key are matched again). Then `findings affected` for a vulnerability
// found in most images and for one found in none. Prints one JSON object.
let arguments = CommandLine.arguments
guard arguments.count == 6, let count = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: defender-bench FIRST.sqlite YESTERDAY.sqlite TODAY.sqlite COUNT INVENTORY.json\n".utf8))
    exit(2)
}
let work = NSTemporaryDirectory() + "defender-bench-\(UUID().uuidString.prefix(8))"
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }
try FileManager.default.copyItem(atPath: arguments[1], toPath: work + "/vuln.db")

var logger = Logger(label: "defender-bench")
logger.logLevel = .error
let store = try await DefenderStore.open(path: work + "/defender.sqlite", logger: logger)
var configuration = DefenderConfiguration(registry: .init(address: "127.0.0.1:9", plainHTTP: true), databasePath: work + "/vuln.db",
                                          layerCacheDirectory: work + "/layers")
configuration.concurrency = ProcessInfo.processInfo.activeProcessorCount
let defender = Defender(store: store, configuration: configuration, logger: logger)
try await defender.start()

let document = try JSONDecoder().decode(InventoryDocument.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[5])))
guard let base = document.images.first else { fatalError("no image in \(arguments[5])") }
let clock = ContinuousClock()
func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

// Seed: one image per variant, recorded as a push and given its inventory.
let seeding = try await clock.measure {
    for index in 0..<count {
        var inventory = base
        inventory.packages = base.packages.enumerated().filter { ($0.offset * 7919 + index * 104_729) % 20 != 0 }.map(\.element)
        let digest = "sha256:" + String(format: "%064x", index + 1)
        inventory.manifestDigest = digest
        let outcome = try await store.record(ImageEvent(kind: .push, repository: "bench/app\(index % 500)", digest: digest,
                                                        tag: "v\(index)", mediaType: "application/vnd.oci.image.manifest.v1+json",
                                                        time: Date().timeIntervalSince1970), now: Date().timeIntervalSince1970)
        guard let id = outcome.scan?.imageID else { continue }
        try await store.saveInventory(digest: digest, json: Data(try ImageInventoryCodec.encode(inventory)), now: Date().timeIntervalSince1970)
        try await store.setInventories(imageID: id, digests: [digest], analyzers: "bench", keys: AdvisoryKeys.of(inventory),
                                       now: Date().timeIntervalSince1970)
        try await store.finishJob(imageID: id)
    }
}
let first = try await clock.measure { _ = try await defender.rematchAll() }

// New databases, renamed into place as `drydock db update` does.
func install(_ path: String) async -> (seconds: Double, rematched: Int) {
    try? FileManager.default.removeItem(atPath: work + "/vuln.db.new")
    try? FileManager.default.copyItem(atPath: path, toPath: work + "/vuln.db.new")
    rename(work + "/vuln.db.new", work + "/vuln.db")
    var rematched = 0
    let elapsed = await clock.measure { rematched = await defender.checkDatabase() ?? 0 }
    return (seconds(elapsed), rematched)
}
let worst = await install(arguments[2])
let daily = await install(arguments[3])

// findings affected: the most widespread vulnerability, and a rare one.
let api = DefenderAPI(defender: defender)
let list = try await api.handle(group: "findings", method: "GET", path: [], query: ["state": "open"], body: { _ in Data() })
_ = list
var counts: [String: Int] = [:]
let sample = try await api.handle(group: "findings", method: "GET", path: ["image"], query: ["reference": "bench/app0:v0", "state": "open"],
                                  body: { _ in Data() })
let view = try JSONSerialization.jsonObject(with: sample.json) as? [String: Any] ?? [:]
for finding in view["findings"] as? [[String: Any]] ?? [] {
    if let id = finding["vulnerabilityID"] as? String { counts[id, default: 0] += 1 }
}
guard let common = counts.keys.sorted().first else { fatalError("the sample image has no findings") }
func timeAffected(_ id: String) async throws -> (median: Double, p99: Double, images: Int) {
    var samples: [Double] = []
    var images = 0
    for _ in 0..<50 {
        var reply: DefenderAPI.Reply?
        let elapsed = try await clock.measure {
            reply = try await api.handle(group: "findings", method: "GET", path: ["affected", id], query: [:], body: { _ in Data() })
        }
        samples.append(seconds(elapsed) * 1000)
        if let reply, let object = try JSONSerialization.jsonObject(with: reply.json) as? [String: Any] {
            images = (object["images"] as? [Any])?.count ?? 0
        }
    }
    samples.sort()
    return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)], images)
}
let wide = try await timeAffected(common)
let none = try await timeAffected("CVE-0000-0000")

let result: [String: Any] = [
    "images": count, "packagesPerImage": base.packages.count,
    "seedSeconds": seconds(seeding), "firstMatchSeconds": seconds(first),
    "worstUpdateSeconds": worst.seconds, "worstUpdateRematched": worst.rematched,
    "dailyUpdateSeconds": daily.seconds, "dailyUpdateRematched": daily.rematched,
    "affectedWideID": common, "affectedWideImages": wide.images, "affectedWideMedianMs": wide.median, "affectedWideP99Ms": wide.p99,
    "affectedNoneMedianMs": none.median, "affectedNoneP99Ms": none.p99,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
await defender.close()
await store.close()
