import Analysis
import Foundation
import Matching
import Reports
import VulnDB

// Re-matching stored inventories, as the defender does after a database update:
//   match-bench DB.sqlite COUNT INVENTORY.json…
// Each INVENTORY.json is `drydock sbom --format json` output; COUNT inventories are matched in
// round-robin over them, with one shared advisory cache (the first pass fills it). Prints the
// cold pass time and the steady rate.
let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: match-bench DB.sqlite COUNT INVENTORY.json…\n".utf8))
    exit(2)
}
var inventories: [ImageInventory] = []
for path in arguments[3...] {
    let document = try JSONDecoder().decode(InventoryDocument.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    inventories += document.images
}
let database = try await VulnDatabase.open(path: arguments[1])
let matcher = Matcher(database: database, cache: AdvisoryCache())
let clock = ContinuousClock()

var findings = 0
let cold = try await clock.measure {
    for inventory in inventories { findings += try await matcher.match(inventory).findings.count }
}
let packages = inventories.map(\.packages.count).reduce(0, +)
let warm = try await clock.measure {
    for index in 0..<count { _ = try await matcher.match(inventories[index % inventories.count]) }
}
await database.close()
let seconds = Double(warm.components.seconds) + Double(warm.components.attoseconds) / 1e18
print("inventories: \(inventories.count) distinct (\(packages) packages, \(findings) findings), first pass \(cold)")
print(String(format: "re-matched %d inventories in %.2f s: %.0f inventories/s, %.0f packages/s",
             count, seconds, Double(count) / seconds, Double(count) * Double(packages) / Double(inventories.count) / seconds))
