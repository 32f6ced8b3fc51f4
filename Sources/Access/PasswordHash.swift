import Crypto
import _CryptoExtras
import Foundation

/// Salted, slow password hashes (PBKDF2-HMAC-SHA256), stored as
/// `pbkdf2-sha256$<rounds>$<salt b64>$<hash b64>` so the cost can rise later without breaking
/// stored hashes. Verifying is deliberately slow (~tens of ms); `CredentialCache` keeps it off
/// the per-request path.
public enum PasswordHash {
    /// swift-crypto's own floor for PBKDF2-SHA256 (OWASP's 2023 figure is higher; the cost is paid
    /// once per credential per five minutes thanks to the cache, so it can rise).
    public static let defaultRounds = 210_000

    public static func make(_ password: String, rounds: Int = defaultRounds) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(key.base64EncodedString())"
    }

    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= 1000,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              let actual = try? derive(password, salt: Array(salt), rounds: rounds)
        else { return false }
        // Constant time: compare through HMAC of both under a random key.
        let key = SymmetricKey(size: .bits256)
        return HMAC<SHA256>.authenticationCode(for: actual, using: key) == HMAC<SHA256>.authenticationCode(for: expected, using: key)
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }

    /// A random secret for generated passwords and token secrets: 32 characters, URL-safe.
    public static func randomSecret() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }
}
