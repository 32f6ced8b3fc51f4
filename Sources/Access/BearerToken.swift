import Crypto
import Foundation
import JWTKit

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

extension BearerClaims: JWTPayload {
    /// jwt-kit calls this after the signature checked out; the claims that need the registry's
    /// own settings (issuer, audience, use) are checked by `TokenSigner.verify`.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        guard exp > now else { throw TokenError("the bearer token has expired; log in again") }
        guard nbf <= now + 60 else { throw TokenError("the bearer token is not valid yet") }
    }
}

/// HS256 JWTs signed with the registry's key, through jwt-kit. Only the registry itself issues
/// and checks these tokens, so a symmetric key is enough (no key distribution to other services).
public struct TokenSigner: Sendable {
    let keys: JWTKeyCollection
    public let issuer: String
    public let keyID: String

    public init(secret: Data, issuer: String) async {
        self.issuer = issuer
        let keyID = SHA256.hash(data: secret).prefix(8).map { String(format: "%02x", $0) }.joined()
        self.keyID = keyID
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
    }

    public func sign(_ claims: BearerClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: keyID), header: ["typ": "JWT"])
    }

    /// Checks form, algorithm, signature, time, issuer, audience and `use`; a refusal says which.
    public func verify(_ token: String, audience: String, use: String) async throws(TokenError) -> BearerClaims {
        guard token.utf8.count < 16_384, token.split(separator: ".", omittingEmptySubsequences: false).count == 3 else {
            throw TokenError("the bearer token is not a well-formed JWT")
        }
        let claims: BearerClaims
        do {
            let parts = try DefaultJWTParser().getTokenParts(Array(token.utf8))
            guard let headerJSON = Self.unbase64url(parts.header),
                  let header = try? JSONDecoder().decode(JWTHeader.self, from: headerJSON)
            else { throw TokenError("the bearer token is not a well-formed JWT") }
            guard header.alg == "HS256" else {
                throw TokenError("the bearer token's algorithm is not accepted (only HS256 tokens from this registry are)")
            }
            claims = try await keys.verify(token, as: BearerClaims.self)
        } catch let error as TokenError {
            throw error
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw TokenError("the bearer token's signature is not valid for this registry")
        } catch {
            throw TokenError("the bearer token is not a well-formed JWT")
        }
        guard claims.iss == issuer else { throw TokenError("the bearer token was issued by '\(claims.iss)', not this registry") }
        guard claims.aud == audience else { throw TokenError("the bearer token is for audience '\(claims.aud)', not '\(audience)'") }
        guard claims.use == use else { throw TokenError("a \(claims.use) token cannot be used here") }
        return claims
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ bytes: ArraySlice<UInt8>) -> Data? {
        var b = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        return Data(base64Encoded: b)
    }
}
