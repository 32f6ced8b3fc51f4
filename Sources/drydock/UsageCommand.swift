import ArgumentParser
import Foundation

/// `drydock usage`: images scanned per subscription and registry in a billing period, and the
/// charge, over the admin API. The JSON is the API's own.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Images scanned in a billing period (each digest once per subscription) and what they cost.")
    @Option(name: .long, help: "YYYY-MM (default: this month, UTC).") var period: String?
    @Option(name: .long, help: "Only this subscription.") var subscription: String?
    @Option(name: .long, help: "table or json") var output: OutputFormat = .table
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        var query: [String] = []
        if let period { query.append("period=\(percentEncode(period))") }
        if let subscription { query.append("subscription=\(percentEncode(subscription))") }
        let value = try await admin.client().call(.GET, "/admin/usage" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        if output == .json { printJSON(value); return }
        guard let view = value as? [String: Any] else { return }
        print("period \(view["period"] as? String ?? "")")
        var rows = [["SUBSCRIPTION", "REGISTRY", "IMAGES SCANNED", "CHARGE"]]
        for subscription in view["subscriptions"] as? [[String: Any]] ?? [] {
            let name = subscription["name"] as? String ?? ""
            let charge = subscription["charge"] as? [String: Any] ?? [:]
            let amount = (charge["amount"] as? NSNumber).map { String(format: "%.2f", $0.doubleValue) } ?? "0.00"
            rows.append([name, "(all)", "\(subscription["imagesScanned"] as? Int ?? 0)", "\(amount) \(charge["currency"] as? String ?? "")"])
            for registry in subscription["registries"] as? [[String: Any]] ?? [] {
                rows.append([name, registry["name"] as? String ?? "", "\(registry["imagesScanned"] as? Int ?? 0)", ""])
            }
        }
        printTable(rows)
    }
}
