import Foundation
import Matching

/// Turning what an evaluation changed into webhook events. Nothing here runs unless a webhook
/// is registered: without receivers an evaluation costs no extra query.
extension Defender {
    /// Taken before an evaluation: the receivers in force and the image's health then.
    struct EventBaseline {
        var webhooks: [Webhook]
        var healthy: Bool?
    }

    func eventBaseline(imageID: Int) async -> EventBaseline? {
        guard let webhooks = try? await store.webhooks(), !webhooks.isEmpty else { return nil }
        return EventBaseline(webhooks: webhooks, healthy: await health(imageID: imageID))
    }

    /// Healthy, unhealthy, or unknown (not matched against a database yet).
    func health(imageID: Int) async -> Bool? {
        guard let image = try? await store.image(id: imageID), image.status == .completed,
              let counts = try? await store.findingCounts(now: now, imageID: imageID) else { return nil }
        return FindingsViews.health(image, openCounts: counts[imageID]?["open"] ?? [:], threshold: configuration.healthThreshold)
    }

    /// Queues the events of an evaluation (or of a tag move resolving findings): `scan.completed`
    /// for a scan, `finding.new` and `finding.resolved` per image, and a health change.
    func publish(_ changes: DefenderStore.FindingChanges, imageID: Int, baseline: EventBaseline?, scanned: Bool) async {
        guard let baseline else { return }
        let wanted = Set(baseline.webhooks.flatMap(\.events))
        do {
            guard let image = try await store.image(id: imageID) else { return }
            let healthy = await health(imageID: imageID)
            if scanned && wanted.contains(WebhookEvent.scanCompleted.rawValue) {
                let counts = try await store.findingCounts(now: now, imageID: imageID)[imageID]?["open"] ?? [:]
                try await enqueue(.scanCompleted, image: image) {
                    $0.scanStatus = image.status.rawValue
                    $0.statusMessage = image.statusMessage
                    $0.counts = counts
                    $0.healthy = healthy
                }
            }
            if wanted.contains(WebhookEvent.findingNew.rawValue) && !changes.opened.isEmpty {
                let summaries = try await store.findingSummaries(changes.opened)
                try await enqueue(.findingNew, image: image) { $0.findings = summaries[imageID] ?? [] }
            }
            if wanted.contains(WebhookEvent.findingResolved.rawValue) && !changes.resolved.isEmpty {
                let summaries = try await store.findingSummaries(changes.resolved)
                for (id, findings) in summaries.sorted(by: { $0.key < $1.key }) {
                    guard let resolvedImage = id == imageID ? image : try await store.image(id: id) else { continue }
                    try await enqueue(.findingResolved, image: resolvedImage) { $0.findings = findings }
                }
            }
            if let healthy, healthy != baseline.healthy {
                try await enqueue(healthy ? .imageHealthy : .imageUnhealthy, image: image) { $0.healthy = healthy }
            }
        } catch {
            logger.warning("could not queue webhook events", metadata: ["image": "\(imageID)", "error": "\(error)"])
        }
    }

    func publishFailure(imageID: Int, message: String) async {
        guard let webhooks = try? await store.webhooks(), webhooks.contains(where: { $0.wants(.scanFailed) }),
              let image = try? await store.image(id: imageID) else { return }
        do {
            try await enqueue(.scanFailed, image: image) {
                $0.scanStatus = image.status.rawValue
                $0.statusMessage = message
            }
        } catch {
            logger.warning("could not queue a webhook event", metadata: ["image": "\(imageID)", "error": "\(error)"])
        }
    }

    private func enqueue(_ event: WebhookEvent, image: ImageRecord, _ fill: (inout WebhookPayload) -> Void) async throws {
        var payload = WebhookPayload(id: UUID().uuidString.lowercased(), event: event.rawValue, createdAt: Time.iso(now),
                                     registry: image.registry, repository: image.repository, digest: image.digest,
                                     tags: try await store.tags(of: image))
        fill(&payload)
        try await store.enqueueDeliveries(event, body: payload.json(), now: now)
        wakeDeliveries()
    }
}

extension DefenderStore {
    /// What webhook payloads say of each changed finding, grouped by image.
    func findingSummaries(_ changes: [FindingChanges.Change]) async throws -> [Int: [WebhookPayload.FindingSummary]] {
        var out: [Int: [WebhookPayload.FindingSummary]] = [:]
        let byImage = Dictionary(grouping: changes, by: \.imageID)
        for (imageID, list) in byImage {
            for row in try await reader.query("""
                SELECT f.vulnerability_id AS id, f.severity AS severity, f.resolved_by AS resolved_by,
                  b.body->>'$.package.name' AS package, b.body->>'$.package.version' AS version,
                  b.body->>'$.package.location' AS location, b.body->>'$.fixedVersion' AS fixed
                FROM defender_findings f JOIN defender_finding_bodies b ON b.hash = f.body_hash
                WHERE f.image_id = ? AND f.key IN (SELECT value FROM json_each(?)) ORDER BY f.key
                """, [.integer(imageID), .text(Self.jsonText(list.map(\.key)))]) {
                out[imageID, default: []].append(.init(
                    vulnerabilityID: row.string("id") ?? "", severity: row.string("severity") ?? "UNKNOWN",
                    package: row.string("package") ?? "", version: row.string("version") ?? "", location: row.string("location") ?? "",
                    fixedVersion: row.string("fixed"), resolvedBy: row.string("resolved_by")))
            }
        }
        return out
    }
}
