import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Synchronization

/// Delivers queued webhook events: at least once, signed, with retries and backoff. One
/// delivery per receiver is in flight at a time, each bounded by a timeout, so a receiver that
/// never answers holds up only its own queue — never scanning, the registry, or other receivers.
final class WebhookDispatcher: Sendable {
    let store: DefenderStore
    let settings: DefenderConfiguration.Webhooks
    let logger: Logger
    let clock: DefenderClock
    /// Receivers with a delivery in flight.
    private let busy = Mutex<Set<Int>>([])

    init(store: DefenderStore, settings: DefenderConfiguration.Webhooks, logger: Logger, clock: DefenderClock) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.clock = clock
    }

    func run(wake: WakeSignal) async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let due = (try? await store.claimDeliveries(now: clock.now(), limit: 16, lease: settings.timeout + 30)) ?? []
                for delivery in due where busy.withLock({ $0.insert(delivery.webhook.id).inserted }) {
                    group.addTask {
                        await self.deliver(delivery)
                        _ = self.busy.withLock { $0.remove(delivery.webhook.id) }
                        wake.signal()
                    }
                }
                await wake.wait(timeout: 0.5)
            }
            group.cancelAll()
        }
    }

    func deliver(_ delivery: DefenderStore.Delivery) async {
        let timestamp = Int(clock.now())
        var request = HTTPClientRequest(url: delivery.webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "drydock-webhooks")
        request.headers.add(name: "X-Drydock-Event", value: delivery.event)
        request.headers.add(name: "X-Drydock-Delivery", value: String(delivery.id))
        request.headers.add(name: "X-Drydock-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-Drydock-Signature",
                            value: WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: delivery.webhook.secret))
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        var status: Int?
        var answer: String?
        var failure: String?
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
            status = Int(response.status.code)
            // The log keeps the start of the answer; a receiver cannot make it read more.
            let body = try await response.body.collect(upTo: 64 * 1024)
            answer = String(decoding: body.readableBytesView.prefix(500), as: UTF8.self)
        } catch {
            failure = "\(error)".prefix(300).description
        }
        let delivered = status.map { (200..<300).contains($0) } ?? false
        let attempts = delivery.attempts + 1
        var retryAt: Double?
        if !delivered && attempts < settings.maxAttempts {
            retryAt = clock.now() + min(3600, settings.retryBase * pow(2, Double(attempts - 1)))
        }
        let result = delivered ? "delivered" : (retryAt == nil ? "failed" : "retry")
        Counter(label: "drydock_webhook_deliveries_total", dimensions: [("event", delivery.event), ("result", result)]).increment()
        try? await store.finishDelivery(id: delivery.id, delivered: delivered, status: status, response: answer, error: failure,
                                        retryAt: retryAt, now: clock.now())
        if !delivered {
            logger.notice("webhook delivery failed", metadata: [
                "url": "\(delivery.webhook.url)", "event": "\(delivery.event)", "attempt": "\(attempts)",
                "status": "\(status.map(String.init) ?? "-")", "error": "\(failure ?? "")", "retry": "\(retryAt != nil)"])
        }
    }
}
