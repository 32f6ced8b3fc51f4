import Crypto
import Foundation

/// The outcome of reading a request's credentials.
public enum AuthenticationResult: Sendable {
    /// No credentials were presented.
    case anonymous
    case authenticated(Identity, method: String)
    /// Credentials were presented and refused; `name` is who they claimed to be (for the log).
    case failed(name: String, reason: String)
}

/// What the token endpoint returns (the Docker token spec's and OAuth2's field names).
public struct IssuedToken: Codable, Sendable {
    public var token: String
    public var access_token: String
    public var expires_in: Int
    public var issued_at: String
    public var refresh_token: String?
}

extension AccessController {
    /// Reads an `Authorization` header. Cheap on the hot path: verified passwords and bearer tokens
    /// are cached; a cache miss on a password costs one PBKDF2.
    public func authenticate(authorization: String?) async -> AuthenticationResult {
        if let known = authenticateFromCache(authorization: authorization) { return known }
        return await authenticateFully(authorization: authorization)
    }

    /// The answer without any suspension when it is known: no header, or a bearer token verified
    /// before. Nil when the slow path must run.
    public func authenticateFromCache(authorization: String?) -> AuthenticationResult? {
        guard var header = authorization, !header.isEmpty else { return .anonymous }
        // The token is found on the header's UTF-8 bytes and looked up where it lies: no copy of
        // several hundred bytes per request (nor the generic Substring index walks this replaced).
        let range = header.withUTF8 { bytes -> Range<Int>? in
            guard bytes.count > 7, bytes.prefix(7).elementsEqual("Bearer ".utf8) else { return nil }
            func blank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var start = 7, end = bytes.count
            while start < end, blank(bytes[start]) { start += 1 }
            while end > start, blank(bytes[end - 1]) { end -= 1 }
            return start..<end
        }
        guard let range else { return nil }
        do {
            return try cachedBearer(BearerKey(in: header, range)).map { .authenticated($0, method: "bearer") }
        } catch {
            return .failed(name: "", reason: error.description)
        }
    }

    private func authenticateFully(authorization: String?) async -> AuthenticationResult {
        guard let header = authorization, !header.isEmpty else { return .anonymous }
        let space = header.firstIndex(of: " ") ?? header.endIndex
        let scheme = header[..<space].lowercased()
        // Trimmed by hand: Foundation's trimmingCharacters bridges through UTF-16 and was the
        // largest single cost of an authenticated request.
        let value = String(Self.trimmingBlanks(header[space...]))
        switch scheme {
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
                  let colon = text.firstIndex(of: ":")
            else { return .failed(name: "", reason: "malformed Basic credentials (expected base64 of name:password)") }
            let name = String(text[..<colon]), password = String(text[text.index(after: colon)...])
            switch checkPassword(name: name, password: password) {
            case .success(let identity): return .authenticated(identity, method: "basic")
            case .failure(let error): return .failed(name: name, reason: error.description)
            }
        case "bearer":
            do {
                return .authenticated(try await verifyBearer(value), method: "bearer")
            } catch {
                return .failed(name: "", reason: error.description)
            }
        default:
            return .failed(name: "", reason: "unsupported Authorization scheme '\(scheme.prefix(20))' (use Basic or Bearer)")
        }
    }

    /// Without spaces and tabs at either end, working on UTF-8 (no copies, no bridging).
    static func trimmingBlanks(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        func blank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !blank($0) }), let last = utf8.lastIndex(where: { !blank($0) }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }

    /// Name + password (users, the admin, tokens, service identities).
    public func checkPassword(name: String, password: String) -> Result<Identity, TokenError> {
        let now = Date().timeIntervalSince1970
        guard let stored = state.withLock({ $0.identities[name] }) else {
            return .failure(TokenError("unknown identity or wrong password"))
        }
        guard stored.enabled else { return .failure(TokenError("\(stored.kind.rawValue) '\(name)' is disabled")) }
        guard !stored.isExpired(at: now) else { return .failure(TokenError("\(stored.kind.rawValue) '\(name)' has expired")) }
        let cacheKey = SHA256.hash(data: Data((name + "\u{0}" + password + "\u{0}" + stored.passwordHash).utf8)).description
        if let until = state.withLock({ $0.verifiedPasswords[cacheKey] }), until > now {
            return .success(stored.identity)
        }
        guard PasswordHash.verify(password, against: stored.passwordHash) else {
            return .failure(TokenError("unknown identity or wrong password"))
        }
        state.withLock {
            if $0.verifiedPasswords.count > 10_000 { $0.verifiedPasswords.removeAll() }
            $0.verifiedPasswords[cacheKey] = now + 300
        }
        return .success(stored.identity)
    }

    /// A bearer token from our token endpoint. Its identity must still exist, be enabled and
    /// unexpired: disabling a token takes effect at once, not when its JWTs run out.
    public func verifyBearer(_ token: String) async throws(TokenError) -> Identity {
        if let known = try cachedBearer(BearerKey(token)) { return known }
        let claims = try await signer.verify(token, audience: configuration.service, use: "access")
        var rules: [ScopeRule] = []
        for entry in claims.access where entry.type == "repository" {
            rules.append(ScopeRule(repository: entry.name, actions: Set(entry.actions.compactMap(RepositoryAction.init(rawValue:)))))
        }
        let identity = Identity(name: claims.sub, kind: claims.kind, trusted: claims.trusted, scopes: ScopeMap(rules))
        let stored = state.withLock { s -> StoredIdentity? in
            if s.verifiedBearers.count > 10_000 { s.verifiedBearers.removeAll() }
            s.verifiedBearers[BearerKey(token)] = (identity, claims.exp)
            return s.identities[identity.name]
        }
        return try usable(identity, stored: stored)
    }

    /// The identity of a bearer token verified before and not yet expired (nil: verify it).
    /// Synchronous and one lock: this is every authenticated request's path.
    func cachedBearer(_ key: BearerKey) throws(TokenError) -> Identity? {
        let now = Date().timeIntervalSince1970
        // Only the verdict leaves the lock, not a copy of the stored identity.
        let (cached, standing) = state.withLock { s -> ((Identity, Int64)?, Standing) in
            guard let hit = s.verifiedBearers[key] else { return (nil, .usable) }
            return (hit, Self.standing(of: hit.0, stored: s.identities[hit.0.name], now: now))
        }
        guard let (identity, exp) = cached, Double(exp) > now else { return nil }
        return try Self.accept(identity, standing)
    }

    /// Whether the identity behind a token may still act: a token's identity is refused once
    /// the identity behind it is gone, disabled or expired.
    enum Standing { case usable, gone, disabled, expired }

    static func standing(of identity: Identity, stored: StoredIdentity?, now: Double) -> Standing {
        guard identity.kind != .anonymous else { return .usable }
        guard let stored, stored.kind == identity.kind else { return .gone }
        guard stored.enabled else { return .disabled }
        return stored.isExpired(at: now) ? .expired : .usable
    }

    private func usable(_ identity: Identity, stored: StoredIdentity?) throws(TokenError) -> Identity {
        try Self.accept(identity, Self.standing(of: identity, stored: stored, now: Date().timeIntervalSince1970))
    }

    static func accept(_ identity: Identity, _ standing: Standing) throws(TokenError) -> Identity {
        switch standing {
        case .usable: return identity
        case .gone: throw TokenError("the identity '\(identity.name)' no longer exists")
        case .disabled: throw TokenError("\(identity.kind.rawValue) '\(identity.name)' is disabled")
        case .expired: throw TokenError("\(identity.kind.rawValue) '\(identity.name)' has expired")
        }
    }

    /// A bearer token as a cache key: either a token of its own (stored in the cache) or the
    /// token's bytes inside a whole `Authorization` header (a lookup, without copying it out).
    /// The hash covers only the token's last 32 bytes — the end of its signature, which differs
    /// between any two tokens we issue — so a lookup does not hash several hundred bytes;
    /// equality still compares every byte, so a forged token never matches a verified one.
    struct BearerKey: Hashable {
        let text: String
        let range: Range<Int>
        let hash: Int

        init(_ token: String) { self.init(in: token, 0..<token.utf8.count) }

        init(in text: String, _ range: Range<Int>) {
            self.text = text
            self.range = range
            var hasher = Hasher()
            Self.withBytes(text, range) { hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(32)))) }
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (a: BearerKey, b: BearerKey) -> Bool {
            guard a.hash == b.hash, a.range.count == b.range.count else { return false }
            return withBytes(a.text, a.range) { x in
                withBytes(b.text, b.range) { y in
                    guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
                    return memcmp(p, q, x.count) == 0
                }
            }
        }

        private static func withBytes<R>(_ text: String, _ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeBufferPointer(rebasing: $0[range])) }) {
                return result
            }
            var copy = text  // a bridged or otherwise non-contiguous string: made native once
            return copy.withUTF8 { body(UnsafeBufferPointer(rebasing: $0[range])) }
        }
    }

    /// The scopes that decide what an identity sees in the catalog: bearer tokens name single
    /// repositories, so the catalog uses the grants of the identity behind them.
    public func visibility(of identity: Identity) -> ScopeMap {
        if identity.kind == .anonymous { return networkRules.anonymousPull ? Identity.anonymousPuller.scopes : ScopeMap([]) }
        return state.withLock { $0.identities[identity.name]?.scopes } ?? identity.scopes
    }

    // MARK: Token endpoint

    /// Parses `repository:NAME:ACTIONS` scopes and grants the subset `identity` holds.
    public func grant(_ requested: [String], to identity: Identity) -> [BearerClaims.Access] {
        var granted: [BearerClaims.Access] = []
        for scope in requested {
            // The name may contain ':' only in a port-less registry? No: repository names have no ':'.
            let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let type = String(parts[0]), name = String(parts[1])
            if type == "registry", name == "catalog" {
                if identity.kind != .anonymous || networkRules.anonymousPull {
                    granted.append(.init(type: "registry", name: "catalog", actions: ["*"]))
                }
                continue
            }
            guard type == "repository", ScopeMap.validatePattern(name), !name.contains("*") else { continue }
            var asked = Set<RepositoryAction>()
            for a in parts[2].split(separator: ",") {
                if a == "*" { asked.formUnion(RepositoryAction.allCases) } else if let action = RepositoryAction(rawValue: String(a)) { asked.insert(action) }
            }
            let allowed = asked.intersection(identity.scopes.actions(on: name))
            granted.append(.init(type: "repository", name: name, actions: allowed.sorted().map(\.rawValue)))
        }
        return granted
    }

    public func issue(for identity: Identity, scopes: [String], offline: Bool) async throws -> IssuedToken {
        let now = Int64(Date().timeIntervalSince1970)
        let lifetime = Int64(configuration.tokenLifetime)
        let claims = BearerClaims(iss: signer.issuer, sub: identity.name, aud: configuration.service, exp: now + lifetime,
                                  nbf: now - 10, iat: now, jti: UUID().uuidString, access: grant(scopes, to: identity),
                                  use: "access", kind: identity.kind, trusted: identity.trusted)
        let token = try await signer.sign(claims)
        var refresh: String?
        if offline && identity.kind != .anonymous {
            var r = claims
            r.access = []
            r.use = "refresh"
            r.exp = now + Int64(configuration.refreshLifetime)
            r.jti = UUID().uuidString
            refresh = try await signer.sign(r)
        }
        let formatter = ISO8601DateFormatter()
        return IssuedToken(token: token, access_token: token, expires_in: Int(lifetime),
                           issued_at: formatter.string(from: Date(timeIntervalSince1970: Double(now))), refresh_token: refresh)
    }

    /// OAuth2 `grant_type=refresh_token`: the identity behind the refresh token must still be usable.
    public func identity(forRefreshToken token: String) async throws(TokenError) -> Identity {
        let claims = try await signer.verify(token, audience: configuration.service, use: "refresh")
        guard let stored = state.withLock({ $0.identities[claims.sub] }) else {
            throw TokenError("the identity '\(claims.sub)' no longer exists")
        }
        guard stored.enabled, !stored.isExpired() else { throw TokenError("\(stored.kind.rawValue) '\(stored.name)' is disabled or expired") }
        return stored.identity
    }
}
