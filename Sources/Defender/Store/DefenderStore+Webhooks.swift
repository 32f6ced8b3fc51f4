import Foundation
import NIOCore
import SQLiteNIO

/// Webhooks and their durable delivery queue. A delivery is written once per event and
/// receiver and stays, with its attempts and the receiver's last answer, as the delivery log.
extension DefenderStore {
    static let webhookSchema = [
        """
        CREATE TABLE IF NOT EXISTS defender_webhooks (id INTEGER PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,
          secret TEXT NOT NULL, created_by TEXT NOT NULL, created_at REAL NOT NULL, removed_at REAL)
        """,
        """
        CREATE TABLE IF NOT EXISTS defender_deliveries (id INTEGER PRIMARY KEY, webhook_id INTEGER NOT NULL, event TEXT NOT NULL,
          body BLOB NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL,
          created_at REAL NOT NULL, delivered_at REAL, last_status INTEGER, last_response TEXT, last_error TEXT)
        """,
        "CREATE INDEX IF NOT EXISTS defender_deliveries_due ON defender_deliveries (state, next_at)",
        "CREATE INDEX IF NOT EXISTS defender_deliveries_webhook ON defender_deliveries (webhook_id, id)",
    ]

    public func addWebhook(url: String, events: [String], secret: String, by identity: String, now: Double) async throws -> Webhook {
        let id = try await write("""
            INSERT INTO defender_webhooks (url, events, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id
            """, [.text(url), .text(Self.jsonText(events)), .text(try sealText(secret, context: Self.webhookSecretContext)),
                  .text(identity), .float(now)]).first?.int("id") ?? 0
        webhookCache = nil
        return Webhook(id: id, url: url, events: events, createdBy: identity, createdAt: now, secret: secret)
    }

    public func removeWebhook(id: Int, now: Double) async throws -> Bool {
        let removed = try await write("UPDATE defender_webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL RETURNING id",
                                      [.float(now), .integer(id)])
        // Nothing more goes to a removed receiver.
        _ = try await write("UPDATE defender_deliveries SET state = 'cancelled' WHERE webhook_id = ? AND state = 'pending'", [.integer(id)])
        webhookCache = nil
        return !removed.isEmpty
    }

    /// The receivers in force (cached: every evaluation asks).
    public func webhooks() async throws -> [Webhook] {
        if let webhookCache { return webhookCache }
        let list = try await reader.query("SELECT * FROM defender_webhooks WHERE removed_at IS NULL ORDER BY id").compactMap { row -> Webhook? in
            guard let id = row.int("id"), let url = row.string("url") else { return nil }
            return Webhook(id: id, url: url, events: row.decode("events", as: [String].self) ?? [], createdBy: row.string("created_by") ?? "",
                           createdAt: row.double("created_at") ?? 0,
                           // A secret that does not open (another key) signs with nothing: receivers refuse those bodies.
                           secret: unsealText(row.string("secret") ?? "", context: Self.webhookSecretContext) ?? "")
        }
        webhookCache = list
        return list
    }

    /// Queues one delivery per receiver that wants the event.
    func enqueueDeliveries(_ event: WebhookEvent, body: Data, now: Double) async throws {
        let receivers = try await webhooks().filter { $0.wants(event) }
        guard !receivers.isEmpty else { return }
        try await transaction {
            for receiver in receivers {
                _ = try await writer.query("""
                    INSERT INTO defender_deliveries (webhook_id, event, body, state, next_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?)
                    """, [.integer(receiver.id), .text(event.rawValue), .blob(ByteBuffer(bytes: body)), .float(now), .float(now)])
            }
        }
    }

    public struct Delivery: Sendable {
        public var id: Int
        public var webhook: Webhook
        public var event: String
        public var body: Data
        public var attempts: Int
    }

    /// Due deliveries, at most one per receiver (so one slow receiver holds one slot), leased
    /// by moving their next attempt `lease` seconds on: a crash mid-delivery retries it then.
    func claimDeliveries(now: Double, limit: Int, lease: Double) async throws -> [Delivery] {
        let receivers = Dictionary(uniqueKeysWithValues: try await webhooks().map { ($0.id, $0) })
        guard !receivers.isEmpty else { return [] }
        return try await transaction {
            let rows = try await writer.query("""
                SELECT d.id, d.webhook_id, d.event, d.body, d.attempts FROM defender_deliveries d
                WHERE d.state = 'pending' AND d.next_at <= ? AND d.id = (SELECT min(e.id) FROM defender_deliveries e
                  WHERE e.webhook_id = d.webhook_id AND e.state = 'pending')
                ORDER BY d.next_at LIMIT ?
                """, [.float(now), .integer(limit)])
            var claimed: [Delivery] = []
            for row in rows {
                guard let id = row.int("id"), let webhookID = row.int("webhook_id"), let webhook = receivers[webhookID] else { continue }
                _ = try await writer.query("UPDATE defender_deliveries SET next_at = ? WHERE id = ?", [.float(now + lease), .integer(id)])
                claimed.append(Delivery(id: id, webhook: webhook, event: row.string("event") ?? "", body: row.data("body") ?? Data(),
                                        attempts: row.int("attempts") ?? 0))
            }
            return claimed
        }
    }

    /// Records an attempt: delivered, or due again at `retryAt` (nil: given up).
    func finishDelivery(id: Int, delivered: Bool, status: Int?, response: String?, error: String?, retryAt: Double?, now: Double) async throws {
        let state = delivered ? "delivered" : (retryAt == nil ? "failed" : "pending")
        _ = try await write("""
            UPDATE defender_deliveries SET state = ?, attempts = attempts + 1, next_at = coalesce(?, next_at), delivered_at = ?,
              last_status = ?, last_response = ?, last_error = ? WHERE id = ?
            """, [.text(state), retryAt.map { .float($0) } ?? .null, delivered ? .float(now) : .null, status.map { .integer($0) } ?? .null,
                  .optional(response), .optional(error), .integer(id)])
    }

    public struct DeliveryView: Sendable, Codable {
        public var id: Int
        public var webhookID: Int
        public var event: String
        public var state: String
        public var attempts: Int
        public var createdAt: Double
        public var nextAttemptAt: Double?
        public var deliveredAt: Double?
        public var lastStatus: Int?
        public var lastResponse: String?
        public var lastError: String?
    }

    /// The delivery log, newest first.
    public func deliveries(webhookID: Int?, limit: Int = 200) async throws -> [DeliveryView] {
        try await reader.query("""
            SELECT * FROM defender_deliveries WHERE ?1 IS NULL OR webhook_id = ?1 ORDER BY id DESC LIMIT ?2
            """, [webhookID.map { .integer($0) } ?? .null, .integer(limit)]).compactMap { row in
            guard let id = row.int("id") else { return nil }
            let state = row.string("state") ?? ""
            return DeliveryView(id: id, webhookID: row.int("webhook_id") ?? 0, event: row.string("event") ?? "", state: state,
                                attempts: row.int("attempts") ?? 0, createdAt: row.double("created_at") ?? 0,
                                nextAttemptAt: state == "pending" ? row.double("next_at") : nil, deliveredAt: row.double("delivered_at"),
                                lastStatus: row.int("last_status"), lastResponse: row.string("last_response"), lastError: row.string("last_error"))
        }
    }
}
