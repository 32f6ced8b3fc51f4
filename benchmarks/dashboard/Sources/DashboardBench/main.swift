import Access
import Analysis
import Dashboard
import Defender
import Foundation
import Logging
import Matching
import RegistryServer
import RegistryStorage
import Reports

// The dashboard over a registry of many scanned images, served for a client to time:
//   dashboard-bench DATA DATABASE.sqlite INVENTORY.json COUNT COPIES
// Seeds COUNT images into DATA/defender.sqlite (once: kept for later runs), each a variant of
// INVENTORY.json (`drydock sbom --format json`) with a different 5% of its packages left out,
// plus `bench/big:v1`, whose packages are installed COPIES times in different places (so it
// has COPIES times the findings), all matched against DATABASE. Then serves the dashboard
// (access control on, admin password `bench-admin-password`) on 127.0.0.1 and prints
// `listening PORT`; SIGTERM stops it. The defender's workers are not started: the numbers are
// the pages', not a scan's.
let arguments = CommandLine.arguments
guard arguments.count == 6, let count = Int(arguments[4]), let copies = Int(arguments[5]) else {
    FileHandle.standardError.write(Data("usage: dashboard-bench DATA DATABASE.sqlite INVENTORY.json COUNT COPIES\n".utf8))
    exit(2)
}
let data = arguments[1]
try FileManager.default.createDirectory(atPath: data + "/registry", withIntermediateDirectories: true)
var logger = Logger(label: "dashboard-bench")
logger.logLevel = .error
let marker = data + "/seeded"
let wanted = "\(count) \(copies) \(arguments[2])"
if (try? String(contentsOfFile: marker, encoding: .utf8)) != wanted {
    for file in ["defender.sqlite", "defender.sqlite-wal", "defender.sqlite-shm", "vuln.db"] { try? FileManager.default.removeItem(atPath: data + "/" + file) }
    try FileManager.default.copyItem(atPath: arguments[2], toPath: data + "/vuln.db")
}
let store = try await DefenderStore.open(path: data + "/defender.sqlite", logger: logger)
var configuration = DefenderConfiguration(registry: .init(address: "127.0.0.1:9", plainHTTP: true), databasePath: data + "/vuln.db",
                                          layerCacheDirectory: data + "/layers")
configuration.concurrency = ProcessInfo.processInfo.activeProcessorCount
let defender = Defender(store: store, configuration: configuration, logger: logger)
try await defender.start()

if (try? String(contentsOfFile: marker, encoding: .utf8)) != wanted {
    let document = try JSONDecoder().decode(InventoryDocument.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[3])))
    guard let base = document.images.first else { fatalError("no image in \(arguments[3])") }
    func seed(_ inventory: ImageInventory, repository: String, tag: String, digest: String) async throws {
        var inventory = inventory
        inventory.manifestDigest = digest
        let now = Date().timeIntervalSince1970
        let outcome = try await store.record(ImageEvent(kind: .push, repository: repository, digest: digest, tag: tag,
                                                        mediaType: "application/vnd.oci.image.manifest.v1+json", time: now), now: now)
        guard let id = outcome.scan?.imageID else { return }
        try await store.saveInventory(digest: digest, json: Data(try ImageInventoryCodec.encode(inventory)), now: now)
        try await store.setInventories(imageID: id, digests: [digest], analyzers: "bench", keys: AdvisoryKeys.of(inventory), now: now)
        try await store.finishJob(imageID: id)
    }
    let started = Date()
    for index in 0..<count {
        var inventory = base
        inventory.packages = base.packages.enumerated().filter { ($0.offset * 7919 + index * 104_729) % 20 != 0 }.map(\.element)
        try await seed(inventory, repository: "bench/app\(index % 500)", tag: "v\(index)", digest: "sha256:" + String(format: "%064x", index + 1))
    }
    var big = base
    big.packages = (0..<copies).flatMap { copy in
        base.packages.map { package in
            var moved = package
            if copy > 0 { moved.location = "/opt/copy\(copy)" + package.location }
            return moved
        }
    }
    try await seed(big, repository: "bench/big", tag: "v1", digest: "sha256:" + String(format: "%064x", count + 1))
    let matched = try await defender.rematchAll()
    try wanted.write(toFile: marker, atomically: true, encoding: .utf8)
    FileHandle.standardError.write(Data("seeded \(matched) images in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
}

let registryStore = try await RegistryStore.openEmbedded(directory: data + "/registry", logger: logger, ownsTemporaryFiles: true)
let access = try await AccessController.open(databasePath: data + "/registry/metadata.sqlite", adminPassword: "bench-admin-password", logger: logger)
var server = RegistryServer.Configuration(listeners: [try .init("127.0.0.1:0")])
server.access = access
try Dashboard(defender: defender, access: access, logger: logger, networkRulesChanged: {}).attach(to: &server)
try await RegistryServer(store: registryStore, configuration: server, logger: logger).run { _, port in
    FileHandle.standardOutput.write(Data("listening \(port)\n".utf8))
}
await defender.close()
await store.close()
await access.close()
await registryStore.close()
