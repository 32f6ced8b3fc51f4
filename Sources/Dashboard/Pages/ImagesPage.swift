import Defender
import Matching
import Foundation

/// `/ui/repositories` and `/ui/images`: from a registry to its repositories to their images,
/// with filters, server-side sorting and paging (a page of 50 whatever the registry holds).
struct ImagesPage {
    let dashboard: Dashboard
    let viewer: Dashboard.Viewer
    static let pageSize = 50

    struct RepositoriesModel {
        struct Row { var name: String; var link: String; var images: Int; var unhealthy: Int; var critical: Int; var high: Int; var medium: Int; var low: Int }
        var page: PageFrame
        var registry: String
        var count: Int
        var rows: [Row]
    }

    func repositories(query: [String: String]) async throws -> RepositoriesModel {
        let registry = query["registry"] ?? "local"
        let list = try await visibleImages(state: "open").filter { $0.registry == registry }
        var rows: [String: RepositoriesModel.Row] = [:]
        for image in list {
            var row = rows[image.repository] ?? .init(name: image.repository, link: "/ui/images" + Web.query([("repository", image.repository)]),
                                                     images: 0, unhealthy: 0, critical: 0, high: 0, medium: 0, low: 0)
            row.images += 1
            if image.healthy == false { row.unhealthy += 1 }
            row.critical += image.counts["CRITICAL"] ?? 0
            row.high += image.counts["HIGH"] ?? 0
            row.medium += image.counts["MEDIUM"] ?? 0
            row.low += image.counts["LOW"] ?? 0
            rows[image.repository] = row
        }
        let sorted = rows.values.sorted { ($0.critical, $0.high, $1.name) > ($1.critical, $1.high, $0.name) }
        return RepositoriesModel(page: dashboard.frame(viewer, title: "Repositories", section: "repositories"),
                                 registry: registry, count: sorted.count, rows: sorted)
    }

    struct ImagesModel {
        struct Row {
            var repository: String
            var link: String
            var tags: String
            var shortDigest: String
            var status: String
            var statusMessage: String
            var health: String
            var critical: Int
            var high: Int
            var medium: Int
            var low: Int
            var scannedAt: String
        }
        struct Filter { var repository: String }
        var page: PageFrame
        var filter: Filter
        var healthOptions: [Option]
        var severityOptions: [Option]
        var statusOptions: [Option]
        var sortOptions: [Option]
        var total: Int
        var pageInfo: PageInfo?
        var rows: [Row]
    }

    func images(query: [String: String]) async throws -> ImagesModel {
        let health = query["health"] ?? ""
        let severity = query["severity"] ?? ""
        let status = query["status"] ?? ""
        let sort = query["sort"] ?? "severity"
        var list = try await dashboard.data.images(repository: query["repository"]).filter { viewer.canSee($0.repository, registry: $0.registry) }
        // "At least" a severity: an open finding of that one or of one above it.
        if let level = SeverityLevel(rawValue: severity) {
            list = list.filter { row in row.counts.contains { SeverityLevel(label: $0.key) >= level && $0.value > 0 } }
        }
        list = list.filter { row in
            switch health {
            case "healthy": return row.healthy == true
            case "unhealthy": return row.healthy == false
            case "unknown": return row.healthy == nil
            default: return true
            }
        }
        if !status.isEmpty { list = list.filter { $0.scanStatus == status } }
        switch sort {
        case "repository": list.sort { ($0.repository, $0.digest) < ($1.repository, $1.digest) }
        case "scanned": list.sort { ($0.scannedAt ?? "") > ($1.scannedAt ?? "") }
        default:
            list.sort { a, b in
                let x = [a.counts["CRITICAL"] ?? 0, a.counts["HIGH"] ?? 0, a.counts["MEDIUM"] ?? 0, a.counts["LOW"] ?? 0]
                let y = [b.counts["CRITICAL"] ?? 0, b.counts["HIGH"] ?? 0, b.counts["MEDIUM"] ?? 0, b.counts["LOW"] ?? 0]
                if x != y { return x.lexicographicallyPrecedes(y) == false }
                return (a.repository, a.digest) < (b.repository, b.digest)
            }
        }
        let keep: [(String, String?)] = [("repository", query["repository"]), ("health", health), ("severity", severity), ("status", status), ("sort", sort)]
        let (pageInfo, range) = PageInfo.make(count: list.count, size: Self.pageSize, requested: query["page"]) { number in
            "/ui/images" + Web.query(keep + [("page", String(number))])
        }
        let rows = list[range].map { row in
            ImagesModel.Row(
                repository: row.repository, link: ImagePage.link(repository: row.repository, digest: row.digest, tag: row.tag, registry: row.registry),
                tags: row.tags.joined(separator: ", "), shortDigest: Format.shortDigest(row.digest), status: row.scanStatus,
                statusMessage: row.statusMessage ?? "", health: row.healthy.map { $0 ? "healthy" : "unhealthy" } ?? "unknown",
                critical: row.counts["CRITICAL"] ?? 0, high: row.counts["HIGH"] ?? 0, medium: row.counts["MEDIUM"] ?? 0,
                low: row.counts["LOW"] ?? 0, scannedAt: Format.time(row.scannedAt))
        }
        return ImagesModel(
            page: dashboard.frame(viewer, title: "Images", section: "images"), filter: .init(repository: query["repository"] ?? ""),
            healthOptions: Option.list([("", "any"), ("unhealthy", "unhealthy"), ("healthy", "healthy"), ("unknown", "not known yet")], selected: health),
            severityOptions: Option.list([("", "any")] + Charts.severities.filter { $0.name != "NONE" && $0.name != "UNKNOWN" }.map { ($0.name, $0.name) },
                                         selected: severity),
            statusOptions: Option.list([("", "any"), ("completed", "completed"), ("queued", "queued"), ("running", "running"), ("failed", "failed"),
                                        ("blocked-by-network-rules", "blocked by network rules"), ("no-database", "no database")], selected: status),
            sortOptions: Option.list([("severity", "most severe first"), ("repository", "repository"), ("scanned", "last scanned")], selected: sort),
            total: list.count, pageInfo: pageInfo, rows: Array(rows))
    }

    private func visibleImages(state: String) async throws -> [FindingsViews.ListRow] {
        try await dashboard.data.images(state: state).filter { viewer.canSee($0.repository, registry: $0.registry) }
    }
}
