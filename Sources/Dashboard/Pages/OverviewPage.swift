import Defender
import Foundation

/// `/ui/`: images by health, open findings by severity, the 30-day trend, scans that did not
/// complete, the database, registries and this period's usage. An admin sees the numbers of
/// `drydock defender status`; anyone else the same figures over the repositories they may pull.
struct OverviewPage {
    let dashboard: Dashboard
    let viewer: Dashboard.Viewer

    struct Model {
        struct Images { var total = 0, healthy = 0, unhealthy = 0, unknown = 0 }
        struct SeverityRow { var name: String; var count: Int; var images: Int }
        struct Problem { var repository: String; var shortDigest: String; var status: String; var reason: String; var imageLink: String }
        struct RegistryRow { var subscription: String; var plan: String; var name: String; var images: Int; var unhealthy: Int }
        struct UsageRow { var name: String; var imagesScanned: Int; var charge: String }
        struct Usage { var period: String; var rows: [UsageRow] }
        struct Database { var loaded: Bool; var builtAt: String?; var vulnerabilities: Int?; var error: String? }
        var page: PageFrame
        var scope: String
        var threshold: String
        var images: Images
        var severities: [SeverityRow]
        var severityChart: String
        var trendChart: String
        var opened30: Int
        var resolved30: Int
        var queue: DefenderStore.QueueCounts
        var failedCount: Int
        var hasProblems: Bool
        var problems: [Problem]
        var database: Database
        var databaseAge: String
        var databaseSources: String
        var registries: [RegistryRow]
        var usage: Usage?
    }

    func build() async throws -> Model {
        let data = dashboard.data
        let status = try await data.status()
        let list = try await data.images().filter { viewer.canSee($0.repository, registry: $0.registry) }
        let trend = try await data.get("findings", ["trend"], query: ["days": "30"], as: DefenderData.Trend.self)

        var images = Model.Images()
        var bySeverity: [String: (count: Int, images: Int)] = [:]
        var perRegistry: [String: (images: Int, unhealthy: Int)] = [:]
        var failed = 0
        var problems: [Model.Problem] = []
        for row in list {
            images.total += 1
            switch row.healthy {
            case true?: images.healthy += 1
            case false?: images.unhealthy += 1
            case nil: images.unknown += 1
            }
            for (severity, count) in row.counts where count > 0 {
                bySeverity[severity, default: (0, 0)].count += count
                bySeverity[severity, default: (0, 0)].images += 1
            }
            perRegistry[row.registry, default: (0, 0)].images += 1
            if row.healthy == false { perRegistry[row.registry, default: (0, 0)].unhealthy += 1 }
            if row.scanStatus == "failed" { failed += 1 }
            if row.scanStatus == "failed" || row.scanStatus == "blocked-by-network-rules" || row.scanStatus == "no-database" {
                problems.append(.init(repository: row.repository, shortDigest: Format.shortDigest(row.digest), status: row.scanStatus,
                                      reason: row.statusMessage ?? "", imageLink: ImagePage.link(repository: row.repository, digest: row.digest, registry: row.registry)))
            }
        }
        let severities = Charts.severities.map { Model.SeverityRow(name: $0.name, count: bySeverity[$0.name]?.count ?? 0, images: bySeverity[$0.name]?.images ?? 0) }
        // Trend bars count findings of every image; a scoped viewer gets the chart of its own images only
        // through the image pages, so it is shown to admins alone.
        let days = viewer.isAdmin ? trend.days : []
        var registries: [Model.RegistryRow] = []
        for subscription in status.subscriptions {
            for registry in subscription.registries {
                registries.append(.init(subscription: subscription.name, plan: subscription.plan, name: registry.name,
                                        images: perRegistry[registry.name]?.images ?? 0, unhealthy: perRegistry[registry.name]?.unhealthy ?? 0))
            }
        }
        var usage: Model.Usage?
        if viewer.isAdmin {
            let answer = try await data.get("usage", as: DefenderData.Usage.self)
            usage = .init(period: answer.period, rows: answer.subscriptions.map {
                .init(name: $0.name, imagesScanned: $0.imagesScanned, charge: String(format: "%.2f %@", $0.charge.amount, $0.charge.currency))
            })
        }
        var age = ""
        if let built = status.database.builtAt, let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(built) {
            age = Format.age(seconds: Date().timeIntervalSince(date))
        }
        return Model(
            page: dashboard.frame(viewer, title: "Overview", section: "overview"),
            scope: viewer.isAdmin ? "All registries" : "Repositories \(viewer.identity.name) may pull",
            threshold: status.healthThreshold, images: images, severities: severities,
            severityChart: Charts.severityBars(severities.reduce(into: [:]) { $0[$1.name] = $1.count }, label: "Open findings by severity"),
            trendChart: days.isEmpty ? "" : Charts.trend(days.map { ($0.date, $0.opened, $0.resolved) }, label: "Findings opened and resolved per day, last 30 days"),
            opened30: days.reduce(0) { $0 + $1.opened }, resolved30: days.reduce(0) { $0 + $1.resolved },
            queue: status.queue, failedCount: failed, hasProblems: !problems.isEmpty, problems: Array(problems.prefix(50)),
            database: .init(loaded: status.database.loaded, builtAt: Format.time(status.database.builtAt),
                            vulnerabilities: status.database.vulnerabilities, error: status.database.error),
            databaseAge: age, databaseSources: (status.database.sources ?? []).joined(separator: ", "),
            registries: registries, usage: usage)
    }
}
