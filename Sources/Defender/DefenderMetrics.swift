import Foundation
import Metrics

/// The defender's side of `/metrics` (swift-metrics; names follow Prometheus' conventions):
/// scans by result and their duration, and, refreshed every `metricsInterval`, the queue, open
/// findings by severity, images by health and the database's age.
extension Defender {
    func recordScan(result: String, seconds: Double? = nil) {
        Counter(label: "drydock_scans_total", dimensions: [("result", result)]).increment()
        if let seconds { Timer(label: "drydock_scan_duration_seconds").recordSeconds(seconds) }
    }

    /// Sets the gauges from the store (its counts are cached until the next write).
    public func updateMetrics() async {
        do {
            let queue = try await store.queueCounts()
            Gauge(label: "drydock_scan_queue_depth", dimensions: [("state", "queued")]).record(queue.queued)
            Gauge(label: "drydock_scan_queue_depth", dimensions: [("state", "running")]).record(queue.running)
            Gauge(label: "drydock_scan_queue_depth", dimensions: [("state", "waiting_on_network_rules")]).record(queue.waitingOnNetworkRules)
            let counts = try await store.findingCounts(now: now)
            var open: [String: Int] = ["CRITICAL": 0, "HIGH": 0, "MEDIUM": 0, "LOW": 0, "NONE": 0, "UNKNOWN": 0]
            var health = ["healthy": 0, "unhealthy": 0, "unknown": 0]
            for image in try await store.listedImages() {
                let imageOpen = counts[image.id]?["open"] ?? [:]
                for (severity, n) in imageOpen { open[severity, default: 0] += n }
                switch FindingsViews.health(image, openCounts: imageOpen, threshold: configuration.healthThreshold) {
                case true?: health["healthy", default: 0] += 1
                case false?: health["unhealthy", default: 0] += 1
                case nil: health["unknown", default: 0] += 1
                }
            }
            for (severity, n) in open { Gauge(label: "drydock_open_findings", dimensions: [("severity", severity)]).record(n) }
            for (state, n) in health { Gauge(label: "drydock_images", dimensions: [("health", state)]).record(n) }
            if let built = await database.current?.info.builtAt {
                Gauge(label: "drydock_vulnerability_database_age_seconds").record(max(0, now - built.timeIntervalSince1970))
            }
        } catch {
            logger.debug("metrics not updated", metadata: ["error": "\(error)"])
        }
    }

    func metricsLoop() async {
        while !Task.isCancelled {
            await updateMetrics()
            try? await Task.sleep(for: .milliseconds(Int(configuration.metricsInterval * 1000)))
        }
    }
}
