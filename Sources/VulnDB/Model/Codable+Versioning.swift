import Versioning

// The Versioning module is dependency-free and has no Codable conformances; the model needs them
// to be stored as JSON. Should Versioning ever add its own, delete these.

extension Ecosystem: Codable {}

/// Coded as OSV does: `{"introduced": "1.0"}`, `{"fixed": "1.2"}`, `{"last_affected": …}`, `{"limit": …}`.
extension OSVEvent: Codable {
    private enum Keys: String, CodingKey {
        case introduced, fixed, lastAffected = "last_affected", limit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let v = try c.decodeIfPresent(String.self, forKey: .introduced) { self = .introduced(v) }
        else if let v = try c.decodeIfPresent(String.self, forKey: .fixed) { self = .fixed(v) }
        else if let v = try c.decodeIfPresent(String.self, forKey: .lastAffected) { self = .lastAffected(v) }
        else if let v = try c.decodeIfPresent(String.self, forKey: .limit) { self = .limit(v) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "OSV event needs introduced, fixed, last_affected or limit"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .introduced(let v): try c.encode(v, forKey: .introduced)
        case .fixed(let v): try c.encode(v, forKey: .fixed)
        case .lastAffected(let v): try c.encode(v, forKey: .lastAffected)
        case .limit(let v): try c.encode(v, forKey: .limit)
        }
    }
}
