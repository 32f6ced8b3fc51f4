@testable import Access
import Foundation
import Testing

@Suite struct ScopeMapTests {
    @Test(arguments: [
        ("team/*", "team/app", true), ("team/*", "team/a/b", true), ("team/*", "team", false),
        ("*", "anything/at/all", true), ("app", "app", true), ("app", "app2", false), ("a*b", "aXXb", true), ("a*b", "aXXc", false),
        ("*/base", "x/y/base", true), ("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
    ])
    func patterns(pattern: String, name: String, matches: Bool) {
        #expect(ScopeRule(repository: pattern, actions: [.pull]).matches(name) == matches)
    }

    @Test func actionsCombineAcrossRules() {
        let map = ScopeMap([ScopeRule(repository: "team/*", actions: [.pull]), ScopeRule(repository: "team/app", actions: [.push])])
        #expect(map.actions(on: "team/app") == [.pull, .push])
        #expect(map.allows(.pull, on: "team/x"))
        #expect(!map.allows(.push, on: "team/x"))
        #expect(!map.canSee("other"))
    }
}

@Suite struct CIDRTests {
    @Test(arguments: [
        ("127.0.0.3/32", "127.0.0.3", true), ("127.0.0.3/32", "127.0.0.1", false), ("10.0.0.0/8", "10.200.3.4", true),
        ("0.0.0.0/0", "8.8.8.8", true), ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false),
        ("::1/128", "::1", true), ("127.0.0.0/8", "::ffff:127.0.0.9", true), ("10.0.0.0/8", "::1", false),
        ("192.168.1.7", "192.168.1.7", true),
    ])
    func contains(cidr: String, address: String, expected: Bool) throws {
        let a = try #require(IPAddress(address))
        #expect(try CIDR(cidr).contains(a) == expected)
    }

    @Test(arguments: ["", "garbage", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8", "1.2.3.4/8/9", "::/129", "10.0.0.0/ 8", "10.0.0.0/x"])
    func garbageIsRefused(text: String) {
        #expect(throws: CIDR.Invalid.self) { try CIDR(text) }
    }

    @Test(arguments: ["0.0.0.0", "9.10.99.100", "127.0.0.1", "255.255.255.255", "1.20.200.0", "::1", "2001:db8::5"])
    func addressesPrintAsParsed(_ text: String) throws {
        #expect(try #require(IPAddress(text)).description == text)
    }

    @Test func normalisesTheNetwork() throws {
        #expect(try CIDR("10.1.2.3/8").description == "10.0.0.0/8")
        #expect(try CIDR("2001:db8::7/32").description == "2001:db8::/32")
    }
}

@Suite struct PasswordHashTests {
    @Test func roundTripAndSalt() throws {
        let a = try PasswordHash.make("correct horse", rounds: 2000)
        let b = try PasswordHash.make("correct horse", rounds: 2000)
        #expect(a != b, "salted")
        #expect(a.hasPrefix("pbkdf2-sha256$2000$"))
        #expect(!a.contains("correct"))
        #expect(PasswordHash.verify("correct horse", against: a))
        #expect(!PasswordHash.verify("correct horsE", against: a))
        #expect(!PasswordHash.verify("x", against: "garbage"))
        #expect(!PasswordHash.verify("x", against: "pbkdf2-sha256$10$AAAA$AAAA"), "too few rounds is refused")
    }
}

@Suite struct TokenSignerTests {
    static func signer(_ byte: UInt8 = 7) async -> TokenSigner { await TokenSigner(secret: Data(repeating: byte, count: 32), issuer: "drydock") }

    static func claims(aud: String = "drydock", exp: Int64 = Int64(Date().timeIntervalSince1970) + 60, use: String = "access") -> BearerClaims {
        let now = Int64(Date().timeIntervalSince1970)
        return BearerClaims(iss: "drydock", sub: "t", aud: aud, exp: exp, nbf: now - 5, iat: now, jti: "j",
                            access: [.init(type: "repository", name: "app", actions: ["pull"])], use: use, kind: .token, trusted: false)
    }

    @Test func verifiesItsOwnTokens() async throws {
        let signer = await Self.signer()
        let claims = Self.claims()
        let token = try await signer.sign(claims)
        #expect(try await signer.verify(token, audience: "drydock", use: "access") == claims)
    }

    /// Each refusal names its reason (the client shows it).
    func refusal(_ token: String, _ signer: TokenSigner) async -> String {
        do {
            _ = try await signer.verify(token, audience: "drydock", use: "access")
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func refusesForgedExpiredWrongAudienceAndRefreshTokens() async throws {
        let signer = await Self.signer()
        let forged = try await Self.signer(8).sign(Self.claims())
        #expect(await refusal(forged, signer).contains("signature"))
        let expired = try await signer.sign(Self.claims(exp: Int64(Date().timeIntervalSince1970) - 1))
        #expect(await refusal(expired, signer).contains("expired"))
        let other = try await signer.sign(Self.claims(aud: "elsewhere"))
        #expect(await refusal(other, signer).contains("audience"))
        let refresh = try await signer.sign(Self.claims(use: "refresh"))
        #expect(await refusal(refresh, signer).contains("refresh token cannot be used"))
        // alg=none with the signature stripped.
        let parts = try await signer.sign(Self.claims()).split(separator: ".")
        let none = TokenSigner.base64url(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        #expect(await refusal(none, signer).contains("algorithm"))
        for garbage in ["", "a.b", "a.b.c", "....", String(repeating: "x", count: 20000), "e30.e30.", "\(parts[0]).e30.\(parts[2])"] {
            let reason = await refusal(garbage, signer)
            #expect(reason.contains("well-formed") || reason.contains("signature") || reason.contains("algorithm"), "\(garbage.prefix(20)): \(reason)")
        }
    }
}

@Suite struct NetworkRulesTests {
    @Test func refusalsNameTheRuleAndTheCaller() throws {
        var rules = NetworkRules()
        let caller = try #require(IPAddress("127.0.0.1"))
        #expect(rules.refusal(for: caller) == nil)
        rules.publicAccess = false
        #expect(rules.refusal(for: caller)?.contains("public network access is disabled") == true)
        #expect(rules.refusal(for: caller)?.contains("127.0.0.1") == true)
        rules.publicAccess = true
        rules.defaultAction = .deny
        rules.ipRules = ["127.0.0.3/32"]
        #expect(rules.refusal(for: caller)?.contains("IP rules") == true)
        #expect(rules.refusal(for: IPAddress("127.0.0.3")) == nil)
    }

    @Test func newRegistryDefaults() {
        let rules = NetworkRules()
        #expect(rules.publicAccess && rules.trustedServices && !rules.anonymousPull && rules.defaultAction == .allow)
    }
}

/// The hand-written JSONB rows (https://sqlite.org/jsonb.html): the bytes of small elements,
/// worst-case sizing, and chunking on row boundaries.
/// That SQLite reads every field back is `ResourceLogTests.awkwardTextSurvivesTheBatchedInsert`.
@Suite struct ResourceLogRowTests {
    static func event(_ text: String, size: Int64?, time: Double = 1_733_441_234.000123) -> ResourceLogEvent {
        ResourceLogEvent(time: time, identity: text, identityType: text, callerIP: text, userAgent: text, operation: text,
                         repository: text, tag: nil, digest: text, size: size, result: text, resultDescription: text,
                         correlationID: text, loginServer: text)
    }

    @Test func rowsAreJSONBArrays() throws {
        let row = ResourceLogRows.render(Self.event("ab", size: -5))
        #expect(row.prefix(5) == [0xEB, 0, 0, UInt8((row.count - 5) >> 8), UInt8((row.count - 5) & 0xFF)])
        // time: FLOAT under a one-byte size, then "ab" as TEXTRAW with the size in the header.
        #expect(Array(row[5..<7]) == [0xC5, 17])
        #expect(String(decoding: row[7..<24], as: UTF8.self) == "1733441234.000123")
        #expect(Array(row[24..<27]) == [0x2A, UInt8(ascii: "a"), UInt8(ascii: "b")])
        #expect(row.contains(0x00))  // the NULL tag
        let sizeAt = try #require((0..<row.count - 3).first { row[$0] == 0xC3 && row[$0 + 1] == 2 })
        #expect(String(decoding: row[sizeAt + 2..<sizeAt + 4], as: UTF8.self) == "-5")
        row.withUnsafeBytes { #expect(ResourceLogRows.rowLength(in: $0, at: 0) == row.count) }
        row.dropLast().withUnsafeBytes { #expect(ResourceLogRows.rowLength(in: $0, at: 0) == nil) }  // cut short
    }

    @Test(arguments: [0, 11, 12, 255, 256, 65_535, 65_536])
    func stringHeadersTakeTheNarrowestForm(length: Int) {
        let text = String(repeating: "x", count: length)
        let bytes = [UInt8](unsafeUninitializedCapacity: length + 5) { buffer, count in
            var writer = RowWriter(base: buffer.baseAddress!)
            writer.text(text)
            count = writer.count
        }
        let header = length < 12 ? 1 : length < 256 ? 2 : length < 65_536 ? 3 : 5
        #expect(bytes.count == header + length)
        #expect(bytes[0] & 0x0F == 10)
    }

    @Test func worstCaseRowsFit() {
        let long = String(repeating: "\u{1}\"é", count: 300)
        for size in [Int64.min, .max, 0, nil] {
            let event = Self.event(long, size: size, time: -9.0e12)
            #expect(ResourceLogRows.render(event).count <= ResourceLogRows.maxLength(event))
        }
    }

    @Test func digitsArePadded() {
        for (value, width, text) in [(0 as UInt64, 1, "0"), (7, 6, "000007"), (1_234_567, 6, "1234567"),
                                     (UInt64.max, 1, "18446744073709551615"), (42, 40, "00000000000000000042")] {
            let digits = [UInt8](unsafeUninitializedCapacity: 20) { buffer, count in
                var writer = RowWriter(base: buffer.baseAddress!)
                writer.digits(value, width: width)
                count = writer.count
            }
            #expect(String(decoding: digits, as: UTF8.self) == text)
        }
    }

    @Test func chunksSplitOnRowBoundaries() throws {
        let big = ResourceLogRows.render(Self.event(String(repeating: "y", count: 100_000), size: 1))
        var rows: [UInt8] = []
        for _ in 0..<100 { rows += big }
        let chunks = try AccessStore.chunks(of: rows)
        #expect(chunks.count > 1)
        var total = 0
        for chunk in chunks {
            var chunk = chunk
            let type = chunk.readInteger(as: UInt8.self), size = chunk.readInteger(as: UInt32.self) ?? 0
            #expect(type == 0xEB)
            #expect(Int(size) == chunk.readableBytes)
            #expect(Int(size) % big.count == 0)
            total += Int(size)
        }
        #expect(total == rows.count)
        // Bytes that are not rows are refused, not written.
        #expect(throws: AccessError.self) { try AccessStore.chunks(of: rows + [1, 2, 3]) }
    }
}
