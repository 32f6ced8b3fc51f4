import Analysis
import Foundation
import Matching

/// The JSON of `drydock findings list|show|affected`. Field names are part of the interface
/// (scripts read them): `repository`, `digest`, `tags`, `scanStatus`, `statusMessage`,
/// `scannedAt`, `databaseBuiltAt`, `healthy`, `findings`, `remediations`; each finding has the
/// fields of `drydock scan --format json` plus `state`, `firstSeen`, `lastSeen`, `resolvedAt`,
/// `resolvedBy`.
public struct FindingsViews: Sendable {
    let defender: Defender

    public init(defender: Defender) {
        self.defender = defender
    }

    var store: DefenderStore { defender.store }

    /// The `state` filter's words.
    static let states: Set<String> = ["open", "resolved", "exempted", "all"]
    static let stateError = "state must be open, resolved, exempted or all"

    /// Healthy: scanned against a database and no open finding at or above the threshold.
    /// Unknown (nil) until then.
    static func health(_ image: ImageRecord, openCounts: [String: Int], threshold: SeverityLevel) -> Bool? {
        guard image.status == .completed else { return nil }
        return !openCounts.contains { SeverityLevel(label: $0.key) >= threshold && $0.value > 0 }
    }

    // MARK: list

    public struct ListRow: Encodable, Sendable {
        public var registry: String
        public var repository: String
        public var tag: String?
        public var tags: [String]
        public var digest: String
        public var scanStatus: String
        public var statusMessage: String?
        public var healthy: Bool?
        public var scannedAt: String?
        public var counts: [String: Int]
        public var total: Int
    }

    public struct ListView: Encodable, Sendable {
        public var state: String
        public var images: [ListRow]
    }

    public func list(query: [String: String]) async throws -> ListView {
        let known: Set<String> = ["repository", "severity", "state", "registry"]
        for key in query.keys where !known.contains(key) { throw DefenderError(.invalid, "unknown query parameter '\(key.prefix(40))'") }
        let state = query["state"] ?? "open"
        guard FindingsViews.states.contains(state) else { throw DefenderError(.invalid, FindingsViews.stateError) }
        var severities: Set<SeverityLevel>?
        if let text = query["severity"] {
            var levels = Set<SeverityLevel>()
            for word in text.split(separator: ",") {
                guard let level = SeverityLevel(rawValue: word.trimmingCharacters(in: .whitespaces).uppercased()) else {
                    throw DefenderError(.invalid, "unknown severity '\(word.prefix(20))' (use CRITICAL, HIGH, MEDIUM, LOW, NONE, UNKNOWN)")
                }
                levels.insert(level)
            }
            severities = levels
        }
        let pattern = query["repository"]
        let counts = try await store.findingCounts(now: defender.now)
        let tags = try await store.tagsByImage()
        var rows: [ListRow] = []
        for image in try await store.listedImages() {
            if let pattern, !RepositoryPattern.matches(pattern, image.repository) { continue }
            if let registry = query["registry"], image.registry != registry { continue }
            let perState = counts[image.id] ?? [:]
            var selected: [String: Int] = [:]
            for (name, bySeverity) in perState where state == "all" || name == state {
                for (severity, n) in bySeverity where severities?.contains(SeverityLevel(label: severity)) ?? true {
                    selected[severity, default: 0] += n
                }
            }
            if severities != nil && selected.isEmpty { continue }
            let imageTags = tags["\(image.registry)/\(image.repository)@\(image.digest)"] ?? []
            rows.append(ListRow(
                registry: image.registry, repository: image.repository, tag: imageTags.first, tags: imageTags, digest: image.digest,
                scanStatus: image.status.rawValue, statusMessage: image.statusMessage,
                healthy: Self.health(image, openCounts: perState["open"] ?? [:], threshold: defender.configuration.healthThreshold),
                scannedAt: image.evaluatedAt.map(Time.iso), counts: selected, total: selected.values.reduce(0, +)))
        }
        return ListView(state: state, images: rows)
    }

    // MARK: show

    public struct ShowView: Encodable, Sendable {
        public var registry: String
        public var repository: String
        public var reference: String
        public var digest: String
        public var tags: [String]
        public var platforms: [String]
        /// The layers of the (first platform's) image, bottom first, with the history entry
        /// that made each: where a finding's package came from.
        public var layers: [LayerView]
        public var scanStatus: String
        public var statusMessage: String?
        public var scannedAt: String?
        public var databaseBuiltAt: String?
        public var healthy: Bool?
        public var healthThreshold: String
        public var findings: [FindingView]
        public var remediations: [Remediation]
        public var warnings: [String]
        /// What each external scanner said of this image (subscriptions using `both`).
        public var externalScans: [ExternalScanView]
    }

    /// One external scanner's last answer about an image. Its findings stand beside Drydock's:
    /// `alsoFoundByDrydock` says whether Drydock reports the same vulnerability in the same
    /// package, so where the two disagree both answers are there to see.
    public struct ExternalScanView: Encodable, Sendable {
        public struct ExternalFinding: Encodable, Sendable {
            public var scanner: String
            public var vulnerabilityID: String
            public var package: String
            public var version: String
            public var fixedVersion: String?
            public var severity: String
            public var alsoFoundByDrydock: Bool
        }
        public var scanner: String
        public var status: String
        public var message: String?
        public var scannedAt: String
        public var findings: [ExternalFinding]
    }

    public struct LayerView: Encodable, Sendable {
        public var index: Int
        public var digest: String
        public var size: Int64
        public var createdBy: String?
    }

    /// A finding as `drydock scan --format json` writes it, plus its history.
    public struct FindingView: Encodable, Sendable {
        public var finding: Finding
        public var state: FindingState
        public var firstSeen: Double
        public var lastSeen: Double
        public var resolvedAt: Double?
        public var resolvedBy: String?
        /// The exemption that covers an `exempted` finding.
        public var exemption: Exemption?

        enum HistoryKeys: String, CodingKey { case state, firstSeen, lastSeen, resolvedAt, resolvedBy, exemption, scanner }

        public func encode(to encoder: any Encoder) throws {
            try finding.encode(to: encoder)
            var container = encoder.container(keyedBy: HistoryKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(Time.iso(firstSeen), forKey: .firstSeen)
            try container.encode(Time.iso(lastSeen), forKey: .lastSeen)
            try container.encodeIfPresent(resolvedAt.map(Time.iso), forKey: .resolvedAt)
            try container.encodeIfPresent(resolvedBy, forKey: .resolvedBy)
            try container.encodeIfPresent(exemption.map(ExemptionView.init), forKey: .exemption)
            try container.encode(ExternalFindings.scanner(of: finding), forKey: .scanner)
        }
    }

    /// - Parameter registry: the registry the image is in (an enrolled registry's name; the
    ///   local registry by default).
    public func show(reference: String, state: String, registry: String = DefenderConfiguration.localRegistry) async throws -> ShowView {
        let (repository, tag, digestText) = try Self.parse(reference)
        let digest: String
        if let digestText {
            digest = digestText
        } else if let tag, let tagged = try await store.digest(registry: registry, repository: repository, tag: tag) {
            digest = tagged
        } else {
            throw DefenderError(.notFound, "the defender knows no image \(reference.prefix(300))")
        }
        guard let image = try await store.image(registry: registry, repository: repository, digest: digest), image.deletedAt == nil else {
            throw DefenderError(.notFound, "the defender knows no image \(reference.prefix(300))")
        }
        let now = defender.now
        var stored = try await store.findings(imageID: image.id, now: now)
        if let tag, image.status == .completed {
            // For a tag: what the digests it pointed at before had, and this one (once scanned)
            // no longer has.
            let current = Set(stored.map(\.key))
            var seen = current
            for (earlier, replacedAt) in try await store.earlierDigests(registry: registry, repository: repository, tag: tag, current: digest) {
                guard let old = try await store.image(registry: registry, repository: repository, digest: earlier) else { continue }
                for var finding in try await store.findings(imageID: old.id, now: now) where !seen.contains(finding.key) {
                    guard finding.state != .resolved || finding.resolvedBy != nil else { continue }
                    seen.insert(finding.key)
                    if finding.state != .resolved {
                        finding.state = .resolved
                        finding.resolvedAt = max(replacedAt, image.evaluatedAt ?? replacedAt)
                        finding.resolvedBy = digest
                    }
                    stored.append(finding)
                }
            }
        }
        // Open first, then report order; the severities are read once rather than at every
        // comparison (an image can have thousands of findings).
        let filtered = stored.filter { state == "all" || $0.state.rawValue == state }
        let severities = filtered.map { SeverityLevel(label: $0.finding.severity).rank }
        let selected = filtered.indices.sorted { i, j in
            let a = filtered[i].finding, b = filtered[j].finding
            if (filtered[i].state == .open) != (filtered[j].state == .open) { return filtered[i].state == .open }
            if severities[i] != severities[j] { return severities[i] > severities[j] }
            if a.package.name != b.package.name { return a.package.name < b.package.name }
            if a.package.location != b.package.location { return a.package.location < b.package.location }
            return a.vulnerabilityID < b.vulnerabilityID
        }.map { filtered[$0] }
        let counts = try await store.findingCounts(now: now, imageID: image.id)[image.id]?["open"] ?? [:]
        let exemptions = Dictionary(uniqueKeysWithValues: try await store.exemptions(includeInactive: false, now: now).map { ($0.id, $0) })
        let (platforms, layers) = try await platformsAndLayers(of: image)
        return ShowView(
            registry: registry, repository: repository, reference: reference, digest: digest,
            tags: try await store.tags(of: image), platforms: platforms, layers: layers,
            scanStatus: image.status.rawValue, statusMessage: image.statusMessage, scannedAt: image.evaluatedAt.map(Time.iso),
            databaseBuiltAt: image.databaseBuiltAt.map(Time.iso),
            healthy: Self.health(image, openCounts: counts, threshold: defender.configuration.healthThreshold),
            healthThreshold: defender.configuration.healthThreshold.rawValue,
            findings: selected.map { FindingView(finding: $0.finding, state: $0.state, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen,
                                                 resolvedAt: $0.resolvedAt, resolvedBy: $0.resolvedBy,
                                                 exemption: $0.exemptionID.flatMap { exemptions[$0] }) },
            remediations: state == "resolved" ? [] : try await store.remediations(imageID: image.id),
            warnings: try await store.warnings(imageID: image.id),
            externalScans: try await externalScans(imageID: image.id, own: stored))
    }

    private func externalScans(imageID: Int, own: [StoredFinding]) async throws -> [ExternalScanView] {
        let reports = try await store.externalReports(imageID: imageID)
        guard !reports.isEmpty else { return [] }
        let drydock = Set(own.filter { $0.state != .resolved }.flatMap { stored in
            ([stored.finding.vulnerabilityID] + stored.finding.aliases).map { "\($0)|\(stored.finding.package.name.lowercased())" }
        })
        return reports.map { report in
            let parsed = report.report.flatMap { try? JSONDecoder().decode(HarborScan.Report.self, from: $0) }
            return ExternalScanView(
                scanner: report.scanner, status: report.status, message: report.message, scannedAt: Time.iso(report.scannedAt),
                findings: (parsed?.vulnerabilities ?? []).map {
                    .init(scanner: report.scanner, vulnerabilityID: $0.id, package: $0.package, version: $0.version, fixedVersion: $0.fix_version,
                          severity: $0.severity, alsoFoundByDrydock: drydock.contains("\($0.id)|\($0.package.lowercased())"))
                })
        }
    }

    private func platformsAndLayers(of image: ImageRecord) async throws -> ([String], [LayerView]) {
        var platforms: [String] = []
        var layers: [LayerView] = []
        for digest in image.inventories {
            guard let data = try await store.inventory(digest: digest), let inventory = ImageInventoryCodec.decode(Array(data)) else { continue }
            if image.inventories.count > 1, let platform = inventory.platform { platforms.append(platform) }
            if layers.isEmpty {
                layers = inventory.layers.map { LayerView(index: $0.index, digest: $0.digest, size: $0.size, createdBy: $0.createdBy) }
            }
        }
        return (platforms, layers)
    }

    /// `REPO:TAG`, `REPO@DIGEST` or `REPO` (tag latest).
    static func parse(_ reference: String) throws -> (repository: String, tag: String?, digest: String?) {
        if let at = reference.firstIndex(of: "@") {
            let digest = String(reference[reference.index(after: at)...])
            guard digest.contains(":"), digest.count <= 200 else { throw DefenderError(.invalid, "'\(digest.prefix(100))' is not a digest") }
            return (String(reference[..<at]), nil, digest)
        }
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]), nil)
        }
        guard !reference.isEmpty else { throw DefenderError(.invalid, "give an image as REPO[:TAG|@DIGEST]") }
        return (reference, "latest", nil)
    }

    // MARK: affected

    /// The answer's JSON, put together from the array SQLite built (see `affectedJSON`).
    func affectedJSON(id: String) async throws -> Data {
        guard !id.isEmpty, id.count <= 200 else { throw DefenderError(.invalid, "give a vulnerability ID") }
        let images = try await store.affectedJSON(by: id)
        let quoted = String(decoding: try JSONEncoder().encode(id), as: UTF8.self)
        return Data("{\"images\":\(images),\"vulnerabilityID\":\(quoted)}".utf8)
    }
}
