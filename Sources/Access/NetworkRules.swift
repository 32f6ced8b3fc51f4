import Foundation

/// The registry's network settings, changeable at run time. Private endpoints are not here: they
/// are listeners, fixed at start (`--private-endpoint`), and these rules never apply to them.
public struct NetworkRules: Codable, Sendable, Equatable {
    public enum DefaultAction: String, Codable, Sendable { case allow, deny }

    public var publicAccess: Bool = true
    public var defaultAction: DefaultAction = .allow
    /// CIDR allow entries (IPv4 and IPv6), as typed (normalised).
    public var ipRules: [String] = []
    /// On for a new registry, as cloud registries do: trusted services pass refusals above.
    public var trustedServices: Bool = true
    /// Per-registry setting, off by default: anonymous callers may pull and list.
    public var anonymousPull: Bool = false

    public init() {}

    /// The rule that refuses `address` on a public listener, or nil when the rules admit it.
    public func refusal(for address: IPAddress?) -> String? {
        var caller: String { address?.description ?? "unknown address" }
        if !publicAccess {
            return "public network access is disabled for this registry; request from \(caller) refused (use a private endpoint)"
        }
        if defaultAction == .deny {
            let admitted = address.map { a in ipRules.contains { (try? CIDR($0))?.contains(a) ?? false } } ?? false
            if !admitted {
                return "IP rules refuse \(caller): the default action is deny and no allow rule matches"
            }
        }
        return nil
    }
}

/// An IPv4 or IPv6 address as bytes (4 or 16). IPv4-mapped IPv6 addresses are unwrapped to IPv4.
public struct IPAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ string: String) {
        var s = string
        if s.hasPrefix("[") && s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if let percent = s.firstIndex(of: "%") { s = String(s[..<percent]) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, s, &v6) == 1 {
            let all = withUnsafeBytes(of: &v6) { Array($0) }
            if all[0..<10].allSatisfy({ $0 == 0 }) && all[10] == 0xff && all[11] == 0xff {
                bytes = Array(all[12...])
            } else {
                bytes = all
            }
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// From a socket's raw address (4 or 16 bytes), without a round trip through text.
    public init?(rawBytes all: [UInt8]) {
        switch all.count {
        case 4: bytes = all
        case 16 where all[0..<10].allSatisfy({ $0 == 0 }) && all[10] == 0xff && all[11] == 0xff: bytes = Array(all[12...])
        case 16: bytes = all
        default: return nil
        }
    }

    public var description: String {
        // IPv4 by hand: every logged request formats its caller, and glibc's inet_ntop goes
        // through sprintf for IPv4.
        if bytes.count == 4 {
            return String(unsafeUninitializedCapacity: 15) { out in
                var position = 0
                for (i, byte) in bytes.enumerated() {
                    if i > 0 { out[position] = UInt8(ascii: "."); position += 1 }
                    if byte >= 100 { out[position] = UInt8(ascii: "0") + byte / 100; position += 1 }
                    if byte >= 10 { out[position] = UInt8(ascii: "0") + byte / 10 % 10; position += 1 }
                    out[position] = UInt8(ascii: "0") + byte % 10
                    position += 1
                }
                return position
            }
        }
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, 64) } != nil
        return ok ? String(cString: buffer) : "?"
    }
}

/// `ADDRESS/PREFIX` (a bare address means a single host).
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ string: String) throws(Invalid) {
        let trimmed = string.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count <= 64, let address = IPAddress(String(parts[0])) else {
            throw Invalid(description: "'\(string.prefix(80))' is not a CIDR (expected e.g. 10.0.0.0/8 or 2001:db8::/32)")
        }
        let maxPrefix = address.bytes.count * 8
        var prefix = maxPrefix
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...maxPrefix).contains(p), parts[1].allSatisfy(\.isNumber) else {
                throw Invalid(description: "'\(string.prefix(80))' has a prefix length outside 0…\(maxPrefix)")
            }
            prefix = p
        }
        self.prefix = prefix
        self.network = IPAddress(bytes: Self.mask(address.bytes, prefix))
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.mask(address.bytes, prefix) == network.bytes
    }

    public var description: String { "\(network)/\(prefix)" }

    static func mask(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { i, b in
            let bits = max(0, min(8, prefix - i * 8))
            return bits == 8 ? b : b & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }
}
