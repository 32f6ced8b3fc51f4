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
        // 32 hex digits, the prefix's then the counter's, with dashes before the 9th, 13th, 17th
        // and 21st.
        return String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            for i in 0..<32 {
                if i == 8 || i == 12 || i == 16 || i == 20 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = i < 16 ? prefix : n
                let digit = UInt8((word >> UInt64(60 - 4 * (i % 16))) & 0xF)
                out[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                position += 1
            }
            return position
        }
    }
}
