import Crypto

/// The hash algorithms a registry must know. Other syntactically valid algorithms are refused:
/// we cannot verify content we cannot hash.
public enum DigestAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha256
    case sha512

    /// Length of the lowercase hex encoding.
    public var encodedLength: Int {
        switch self {
        case .sha256: 64
        case .sha512: 128
        }
    }
}

/// A content digest (`sha256:<64 hex>` or `sha512:<128 hex>`), validated on construction.
public struct Digest: Hashable, Sendable, CustomStringConvertible, Codable, Comparable {
    public let algorithm: DigestAlgorithm
    /// Lowercase hex.
    public let encoded: String

    public init(_ string: String) throws(OCIError) {
        guard let colon = string.firstIndex(of: ":") else {
            throw OCIError(.digestInvalid, "digest '\(string.prefix(100))' has no algorithm prefix")
        }
        let algorithmPart = String(string[..<colon])
        let encodedPart = String(string[string.index(after: colon)...])
        guard Digest.isValidAlgorithmSyntax(algorithmPart) else {
            throw OCIError(.digestInvalid, "digest algorithm '\(algorithmPart.prefix(40))' is malformed")
        }
        guard let algorithm = DigestAlgorithm(rawValue: algorithmPart) else {
            throw OCIError(.digestInvalid, "digest algorithm '\(algorithmPart.prefix(40))' is not supported (use sha256 or sha512)")
        }
        guard encodedPart.utf8.count == algorithm.encodedLength,
              encodedPart.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw OCIError(.digestInvalid, "\(algorithm.rawValue) digest must be \(algorithm.encodedLength) lowercase hex characters")
        }
        self.algorithm = algorithm
        self.encoded = encodedPart
    }

    /// For hex this module produced itself (hash output), which needs no re-validation.
    init(validated algorithm: DigestAlgorithm, encoded: String) {
        self.algorithm = algorithm
        self.encoded = encoded
    }

    public init(algorithm: DigestAlgorithm, encoded: String) throws(OCIError) {
        try self.init("\(algorithm.rawValue):\(encoded)")
    }

    public var description: String { "\(algorithm.rawValue):\(encoded)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    /// The digest of a complete buffer.
    public static func compute(_ bytes: some Sequence<UInt8>, algorithm: DigestAlgorithm = .sha256) -> Digest {
        var hasher = DigestHasher(algorithm)
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(string) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `algorithm-component (separator algorithm-component)*` from the image spec.
    static func isValidAlgorithmSyntax(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        var previousWasSeparator = true
        for c in s.utf8 {
            let isComponent = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            let isSeparator = c == 0x2B || c == 0x2E || c == 0x5F || c == 0x2D
            if isComponent { previousWasSeparator = false }
            else if isSeparator { if previousWasSeparator { return false }; previousWasSeparator = true }
            else { return false }
        }
        return !previousWasSeparator
    }
}

/// Incremental hashing for either algorithm; a value type so a copy can snapshot the state of a
/// chunked upload.
// swift-crypto's hash functions are value types without a Sendable conformance; copying one copies
// its state, so sending a copy across tasks is safe.
public struct DigestHasher: @unchecked Sendable {
    private enum State {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    public let algorithm: DigestAlgorithm

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        case .sha512(var h): h.update(bufferPointer: bytes); state = .sha512(h)
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> Digest {
        let hex: String
        switch state {
        case .sha256(let h): hex = h.finalize().hexString
        case .sha512(let h): hex = h.finalize().hexString
        }
        // Hex output of a supported algorithm always satisfies the grammar.
        return Digest(validated: algorithm, encoded: hex)
    }
}

extension Sequence<UInt8> {
    var hexString: String {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for byte in self {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
