import Metrics
import Prometheus

/// One Prometheus registry for every server a test process starts (the metrics system can be
/// set up once per process): `/metrics` on any test registry shows the whole process's series.
public enum TestMetrics {
    public static let exporter: @Sendable () -> String = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return { registry.emitToString() }
    }()
}
