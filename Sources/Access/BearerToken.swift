import Crypto
import Foundation

/// The claims of the registry's bearer tokens (the Docker token spec's JWT layout: `access` lists
/// `{type, name, actions}`), plus what Drydock needs to rebuild the identity without a lookup.
public struct BearerClaims: Codable, Sendable, Equatable {
    public struct Access: Codable, Sendable, Equatable {
        public var type: String
        public var name: String
        public var actions: [String]
    }

    public var iss: String
    public var sub: String
    public var aud: String
    public var exp: Int64
    public var nbf: Int64
    public var iat: Int64
    public var jti: String
    public var access: [Access]
    /// `access` or `refresh`: a refresh token is never accepted on the API.
    public var use: String
    public var kind: IdentityKind
    public var trusted: Bool
}

/// Why a presented token was refused; the message goes back to the client.
public struct TokenError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// HS256 JWTs signed with the registry's key.
///
/// Hand-written over swift-crypto's HMAC instead of jwt-kit: every jwt-kit release available here
/// (5.7.1, 5.8.0) requires swift-crypto 4, while the whole repository is on swift-crypto 3 — moving
/// it would rebuild everything and touch every module. HS256 is ~40 lines and only the registry
/// itself issues and checks these tokens. Revisit when the repository moves to swift-crypto 4.
public struct TokenSigner: Sendable {
    /// Kept as bytes: `SymmetricKey` is not `Sendable` in swift-crypto 3.
    let secret: Data
    var key: SymmetricKey { SymmetricKey(data: secret) }
    public let issuer: String
    public let keyID: String

    public init(secret: Data, issuer: String) {
        self.secret = secret
        self.issuer = issuer
        self.keyID = String(SHA256.hash(data: secret).prefix(8).map { String(format: "%02x", $0) }.joined())
    }

    public func sign(_ claims: BearerClaims) -> String {
        let header = #"{"alg":"HS256","typ":"JWT","kid":"\#(keyID)"}"#
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = (try? encoder.encode(claims)) ?? Data()
        let signingInput = Self.base64url(Data(header.utf8)) + "." + Self.base64url(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return signingInput + "." + Self.base64url(Data(mac))
    }

    /// Checks signature, algorithm, issuer, audience and time; `use` must match.
    public func verify(_ token: String, audience: String, use: String, now: Date = Date()) throws(TokenError) -> BearerClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count < 16_384,
              let headerData = Self.unbase64url(parts[0]), let payloadData = Self.unbase64url(parts[1]),
              let signature = Self.unbase64url(parts[2])
        else { throw TokenError("the bearer token is not a well-formed JWT") }
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              header["alg"] as? String == "HS256"
        else { throw TokenError("the bearer token's algorithm is not accepted (only HS256 tokens from this registry are)") }
        let signingInput = Data((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            throw TokenError("the bearer token's signature is not valid for this registry")
        }
        guard let claims = try? JSONDecoder().decode(BearerClaims.self, from: payloadData) else {
            throw TokenError("the bearer token's claims are not readable")
        }
        guard claims.iss == issuer else { throw TokenError("the bearer token was issued by '\(claims.iss)', not this registry") }
        guard claims.aud == audience else { throw TokenError("the bearer token is for audience '\(claims.aud)', not '\(audience)'") }
        guard claims.use == use else { throw TokenError("a \(claims.use) token cannot be used here") }
        let t = Int64(now.timeIntervalSince1970)
        guard claims.exp > t else { throw TokenError("the bearer token has expired; log in again") }
        guard claims.nbf <= t + 60 else { throw TokenError("the bearer token is not valid yet") }
        return claims
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ s: Substring) -> Data? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        return Data(base64Encoded: b)
    }
}
