import Foundation

/// `/admin/usage` (`drydock usage`): images scanned per subscription and registry in a billing
/// period, and what they cost. Field names are part of the interface: `period`, `subscriptions`,
/// each with `name`, `imagesScanned`, `charge` {`amount`, `currency`} and `registries`, each
/// with `name` and `imagesScanned`.
struct UsageAPI {
    let defender: Defender

    struct View: Encodable {
        struct Charge: Encodable {
            var amount: Decimal
            var currency: String
        }
        struct RegistryUsage: Encodable {
            var name: String
            var imagesScanned: Int
        }
        struct SubscriptionUsage: Encodable {
            var name: String
            var plan: String
            var imagesScanned: Int
            var pricePerImage: Decimal
            var charge: Charge
            var registries: [RegistryUsage]
        }
        var period: String
        var subscriptions: [SubscriptionUsage]
    }

    func view(query: [String: String]) async throws -> View {
        for key in query.keys where key != "period" && key != "subscription" {
            throw DefenderError(.invalid, "unknown query parameter '\(key.prefix(40))'")
        }
        let period = query["period"] ?? DefenderStore.period(of: defender.now)
        guard Self.isPeriod(period) else { throw DefenderError(.invalid, "period must be YYYY-MM, not '\(period.prefix(20))'") }
        let store = defender.store
        var subscriptions = try await store.subscriptions()
        if let name = query["subscription"] {
            subscriptions = subscriptions.filter { $0.name == name }
            guard !subscriptions.isEmpty else { throw DefenderError(.notFound, "no subscription '\(name.prefix(100))'") }
        }
        let registries = try await store.registries()
        let counted = try await store.usage(period: period)
        let price = defender.configuration.pricePerImage
        return View(period: period, subscriptions: subscriptions.map { subscription in
            let perRegistry = counted[subscription.name] ?? [:]
            // Registries now in the subscription, then any that counted this period and left it.
            var names = registries.filter { $0.subscription == subscription.name }.map(\.name)
            names += perRegistry.keys.sorted().filter { !names.contains($0) }
            let total = perRegistry.values.reduce(0, +)
            return View.SubscriptionUsage(
                name: subscription.name, plan: subscription.enabled ? "enabled" : "disabled", imagesScanned: total,
                pricePerImage: price, charge: .init(amount: price * Decimal(total), currency: defender.configuration.currency),
                registries: names.map { View.RegistryUsage(name: $0, imagesScanned: perRegistry[$0] ?? 0) })
        })
    }

    static func isPeriod(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]) else { return false }
        return (1970...9999).contains(year) && (1...12).contains(month)
    }
}
