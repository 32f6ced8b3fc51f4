import Defender
import Matching
import Foundation

/// `/ui/image`: one image (by digest, or by tag: then resolved findings include what earlier
/// digests of the tag had), its remediations, and its findings with where each package came
/// from and why it is reported.
struct ImagePage {
    let dashboard: Dashboard
    let viewer: Dashboard.Viewer
    static let pageSize = 100

    static func link(repository: String, digest: String, tag: String? = nil, registry: String = DefenderConfiguration.localRegistry) -> String {
        "/ui/image" + Web.query([("repository", repository), ("digest", digest), ("tag", tag),
                                ("registry", registry == DefenderConfiguration.localRegistry ? nil : registry)])
    }

    struct Model {
        struct SeverityCount { var name: String; var count: Int }
        struct RemediationRow { var package: String; var version: String; var location: String; var action: String; var fixes: Int; var unfixed: Int?; var highest: String }
        struct Link { var url: String; var label: String }
        struct FindingRow {
            var id: String
            var title: String?
            var links: [Link]
            var severity: String
            var severityRank: Int
            var kev: Bool
            var package: String
            var location: String
            var installed: String
            var fixed: String
            var state: String
            var resolvedBy: String?
            var resolvedShort: String?
            var resolvedLink: String?
            var resolvedAt: String?
            var exemption: String?
            var firstSeen: String
            var lastSeen: String
            var layer: String?
            var layerCommand: String?
            var why: String
            var remediation: String
        }
        struct LayerRow { var index: Int; var createdBy: String; var shortDigest: String; var size: String }
        struct ExternalFinding { var severity: String; var vulnerabilityID: String; var package: String; var version: String; var fixedVersion: String; var agreement: String }
        struct ExternalScan { var scanner: String; var status: String; var scannedAt: String; var message: String?; var hasFindings: Bool; var findings: [ExternalFinding] }
        var page: PageFrame
        var registry: String
        var repository: String
        var repositoryLink: String
        var digest: String
        var shortDigest: String
        var tagText: String?
        var scanStatus: String
        var statusMessage: String?
        var scannedAt: String?
        var health: String
        var healthThreshold: String
        var openCount: Int
        var severities: [SeverityCount]
        var hasPlatforms: Bool
        var platforms: String
        var hasRemediations: Bool
        var remediations: [RemediationRow]
        var stateOptions: [Option]
        var severityOptions: [Option]
        var query: String
        var findingTotal: Int
        var pageInfo: PageInfo?
        var findings: [FindingRow]
        var hasLayers: Bool
        var layers: [LayerRow]
        var warnings: [String]
        /// Other scanners' answers (subscriptions using `both`), beside Drydock's own.
        var externalScans: [ExternalScan]
    }

    func build(query: [String: String]) async throws -> Model {
        guard let repository = query["repository"], !repository.isEmpty else { throw PageError(status: 400, message: "Which image? Give a repository.") }
        let registry = query["registry"].flatMap { $0.isEmpty ? nil : $0 } ?? DefenderConfiguration.localRegistry
        guard viewer.canSee(repository, registry: registry) else { throw PageError(status: 404, message: "There is no image \(repository) you may see.") }
        let tag = query["tag"].flatMap { $0.isEmpty ? nil : $0 }
        let digest = query["digest"].flatMap { $0.isEmpty ? nil : $0 }
        let reference = digest.map { "\(repository)@\($0)" } ?? "\(repository):\(tag ?? "latest")"
        let state = query["state"] ?? "open"
        guard ["open", "resolved", "exempted", "all"].contains(state) else { throw PageError(status: 400, message: "Unknown state \(state.prefix(20)).") }
        // With a digest and a tag, the tag's view (resolved findings of its earlier digests)
        // when the tag still points at that digest.
        var image = try await dashboard.data.image(reference, registry: registry)
        if let tag, digest != nil, image.tags.contains(tag) {
            image = try await dashboard.data.image("\(repository):\(tag)", registry: registry)
        }
        let open = image.findings.filter { $0.state == .open }
        let severity = query["severity"] ?? ""
        let needle = (query["q"] ?? "").lowercased()
        var selected = image.findings.filter { state == "all" || $0.state.rawValue == state }
        if !severity.isEmpty { selected = selected.filter { $0.finding.severity == severity } }
        if !needle.isEmpty {
            selected = selected.filter {
                $0.finding.package.name.lowercased().contains(needle) || $0.finding.vulnerabilityID.lowercased().contains(needle)
                    || $0.finding.aliases.contains { $0.lowercased().contains(needle) }
            }
        }
        let keep: [(String, String?)] = [("repository", repository), ("registry", query["registry"]), ("digest", digest), ("tag", tag), ("state", state),
                                         ("severity", severity), ("q", query["q"])]
        let (pageInfo, range) = PageInfo.make(count: selected.count, size: Self.pageSize, requested: query["page"]) { number in
            "/ui/image" + Web.query(keep + [("page", String(number))])
        }
        let layers = Dictionary(image.layers.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = selected[range].map { view -> Model.FindingRow in
            let finding = view.finding
            let layer = finding.package.layerDigest.flatMap { layers[$0] }
            let why: String
            if finding.match.kind == "external" {
                why = "\(finding.package.name) \(finding.package.version) is \(finding.match.matched) (this subscription uses external scanners only)."
            } else {
                let kind = finding.match.kind == "distro" ? "the distribution's own advisory" : "the \(finding.match.namespace) advisory database"
                why = "\(finding.package.name) \(finding.package.version) is reported because \(kind) (\(finding.match.namespace), "
                    + "package \(finding.match.key)) lists version \(finding.match.version) as affected: \(finding.match.matched)."
            }
            var exemption: String?
            if let e = view.exemption {
                exemption = "exemption \(e.id) by \(e.createdBy): \(e.justification)" + (e.expiresAt.map { ", until \(Format.time(Time.iso($0)))" } ?? "")
            }
            return Model.FindingRow(
                id: finding.vulnerabilityID, title: finding.title,
                links: finding.references.prefix(3).compactMap { url in
                    guard url.hasPrefix("https://") || url.hasPrefix("http://") else { return nil }
                    return Model.Link(url: url, label: URL(string: url)?.host ?? "link")
                },
                severity: finding.severity, severityRank: SeverityLevel(label: finding.severity).rank, kev: finding.knownExploited,
                package: finding.package.name, location: finding.package.location, installed: finding.package.version,
                fixed: finding.fixedVersion ?? (finding.status == .fixed ? "" : finding.status.rawValue.replacingOccurrences(of: "_", with: " ")),
                state: view.state.rawValue, resolvedBy: view.resolvedBy, resolvedShort: view.resolvedBy.map(Format.shortDigest),
                resolvedLink: view.resolvedBy.map { Self.link(repository: repository, digest: $0, registry: registry) },
                resolvedAt: view.resolvedAt.map { Format.time(Time.iso($0)) }, exemption: exemption,
                firstSeen: Format.time(Time.iso(view.firstSeen)), lastSeen: Format.time(Time.iso(view.lastSeen)),
                layer: (layer?.index ?? finding.package.layerIndex).map { "layer \($0) of \(image.layers.count)" },
                layerCommand: layer?.createdBy.map { String($0.prefix(200)) }, why: why, remediation: finding.remediation)
        }
        var counts: [String: Int] = [:]
        for view in open { counts[view.finding.severity, default: 0] += 1 }
        return Model(
            page: dashboard.frame(viewer, title: "\(repository)@\(Format.shortDigest(image.digest))", section: "images"),
            registry: image.registry, repository: repository, repositoryLink: "/ui/images" + Web.query([("repository", repository)]),
            digest: image.digest, shortDigest: Format.shortDigest(image.digest), tagText: tag ?? image.tags.first,
            scanStatus: image.scanStatus, statusMessage: image.statusMessage, scannedAt: image.scannedAt.map { Format.time($0) },
            health: image.healthy.map { $0 ? "healthy" : "unhealthy" } ?? "unknown", healthThreshold: image.healthThreshold,
            openCount: open.count,
            severities: Charts.severities.compactMap { item in counts[item.name].map { Model.SeverityCount(name: item.name, count: $0) } },
            hasPlatforms: !image.platforms.isEmpty, platforms: image.platforms.joined(separator: ", "),
            hasRemediations: !image.remediations.isEmpty,
            remediations: image.remediations.map {
                .init(package: $0.package.name, version: $0.package.version, location: $0.package.location, action: $0.action,
                      fixes: $0.fixes.count, unfixed: $0.unfixed.isEmpty ? nil : $0.unfixed.count, highest: $0.highestSeverity)
            },
            stateOptions: Option.list([("open", "open"), ("resolved", "resolved"), ("exempted", "exempted"), ("all", "all")], selected: state),
            severityOptions: Option.list([("", "any")] + Charts.severities.map { ($0.name, $0.name) }, selected: severity),
            query: query["q"] ?? "", findingTotal: selected.count, pageInfo: pageInfo, findings: Array(rows),
            hasLayers: !image.layers.isEmpty,
            layers: image.layers.map { .init(index: $0.index, createdBy: $0.createdBy ?? "", shortDigest: Format.shortDigest($0.digest), size: Format.size($0.size)) },
            warnings: image.warnings,
            externalScans: image.externalScans.map { scan in
                .init(scanner: scan.scanner, status: scan.status, scannedAt: Format.time(scan.scannedAt), message: scan.message,
                      hasFindings: !scan.findings.isEmpty,
                      findings: scan.findings.map {
                          .init(severity: $0.severity, vulnerabilityID: $0.vulnerabilityID, package: $0.package, version: $0.version,
                                fixedVersion: $0.fixedVersion ?? "", agreement: $0.alsoFoundByDrydock ? "yes" : "no: only \(scan.scanner)")
                      })
            })
    }
}
