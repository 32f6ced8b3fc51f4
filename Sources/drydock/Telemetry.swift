import Metrics
import Prometheus

/// swift-metrics, exported in Prometheus' text format at `/metrics` (docs/metrics.md lists the
/// series). The metrics system is process-wide and can be set up once.
enum Telemetry {
    static func prometheusExporter() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Request and scan durations: from a millisecond to a couple of minutes.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(120),
        ]
        MetricsSystem.bootstrap(factory)
        return { registry.emitToString() }
    }
}
