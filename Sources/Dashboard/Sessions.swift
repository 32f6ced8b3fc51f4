import Foundation
import Synchronization

/// Signed-in browsers. A session is a random 256-bit ID in an `HttpOnly`, `SameSite=Strict`
/// cookie, with its own CSRF token for forms. Sessions live in memory: a restart signs everyone
/// out, which is the safe failure. Each request re-reads the identity from access control, so
/// a disabled or deleted identity loses its session at once.
final class SessionStore: Sendable {
    struct Session: Sendable {
        var id: String
        var identity: String
        var csrf: String
        var createdAt: Double
        var lastUsed: Double
    }

    /// Idle sessions end after this long; every session after `absoluteLifetime`.
    static let idleLifetime: Double = 8 * 3600
    static let absoluteLifetime: Double = 24 * 3600
    static let cookieName = "drydock_session"

    private let sessions = Mutex<[String: Session]>([:])

    func create(identity: String, now: Double) -> Session {
        let session = Session(id: Self.randomToken(), identity: identity, csrf: Self.randomToken(), createdAt: now, lastUsed: now)
        sessions.withLock { table in
            // Expired sessions go whenever a new one is made: the table stays as small as its use.
            table = table.filter { Self.isLive($0.value, now: now) }
            table[session.id] = session
        }
        return session
    }

    func session(id: String, now: Double) -> Session? {
        sessions.withLock { table in
            guard var session = table[id] else { return nil }
            guard Self.isLive(session, now: now) else {
                table[id] = nil
                return nil
            }
            session.lastUsed = now
            table[id] = session
            return session
        }
    }

    func remove(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    private static func isLive(_ session: Session, now: Double) -> Bool {
        now - session.lastUsed < idleLifetime && now - session.createdAt < absoluteLifetime
    }

    /// 32 bytes from the system's cryptographic random source, hex-encoded.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// Compares in time independent of where the strings differ (CSRF tokens).
    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
