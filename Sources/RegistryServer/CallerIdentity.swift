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
        // 32 hex digits of prefix + counter, dashes after the 8th, 12th, 16th and 20th.
        return String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            for (word, base) in [(prefix, 0), (n, 16)] {
                for nibble in 0..<16 {
                    if base + nibble == 8 || base + nibble == 12 || base + nibble == 16 || base + nibble == 20 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let digit = UInt8((word >> UInt64(60 - 4 * nibble)) & 0xF)
                    out[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    position += 1
                }
            }
            return position
        }
    }
}
