import Access
import NIOCore
import Synchronization

extension IPAddress {
    /// The peer's address straight from the socket address (no text round trip per request).
    init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let a):
            self.init(rawBytes: withUnsafeBytes(of: a.address.sin_addr) { Array($0) })
        case .v6(let a):
            self.init(rawBytes: withUnsafeBytes(of: a.address.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }
}

/// Correlation IDs for resource-log rows: UUID-shaped, unique per process run (a random prefix
/// drawn at start plus a counter), and cheap enough to make for every request — Foundation's
/// UUID reads the system's random source each time.
enum CorrelationID {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        for word in [prefix, n] {
            for shift in stride(from: 60, through: 0, by: -4) {
                if [8, 13, 18, 23].contains(position) { position += 1 }
                out[position] = hex[Int((word >> UInt64(shift)) & 0xF)]
                position += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
