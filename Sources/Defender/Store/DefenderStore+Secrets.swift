import Foundation
import SQLiteNIO

/// Secrets the store keeps in text columns (webhook signing secrets, scanner adapters'
/// `Authorization` values), sealed with the server's `SecretBox` once the defender hands it
/// one: `sealed:` and the base64 of the sealed value. Values written before a key was in use
/// are sealed on the next start (`sealStoredSecrets`).
extension DefenderStore {
    static let sealedPrefix = "sealed:"

    public func useSecrets(_ box: SecretBox) {
        secretBox = box
        webhookCache = nil
    }

    /// The value as stored: sealed when a key is in use, as given otherwise.
    func sealText(_ value: String, context: String) throws -> String {
        guard let secretBox else { return value }
        return Self.sealedPrefix + (try secretBox.seal(value, context: context)).base64EncodedString()
    }

    /// The value a column holds, opened; nil when it is sealed and cannot be opened here (no
    /// key, or another key than the one it was sealed with).
    func unsealText(_ stored: String, context: String) -> String? {
        guard stored.hasPrefix(Self.sealedPrefix) else { return stored }
        guard let secretBox, let data = Data(base64Encoded: String(stored.dropFirst(Self.sealedPrefix.count))) else { return nil }
        return try? secretBox.unseal(data, context: context)
    }

    static let webhookSecretContext = "webhook-secret"
    static let scannerAuthorizationContext = "scanner-authorization"

    /// Seals the secrets still stored in clear (written before a key was in use); returns how many.
    public func sealStoredSecrets() async throws -> Int {
        guard secretBox != nil else { return 0 }
        var sealed = 0
        for row in try await reader.query("SELECT id, secret FROM defender_webhooks WHERE secret NOT LIKE 'sealed:%'") {
            guard let id = row.int("id"), let secret = row.string("secret") else { continue }
            _ = try await write("UPDATE defender_webhooks SET secret = ? WHERE id = ?",
                                [.text(try sealText(secret, context: Self.webhookSecretContext)), .integer(id)])
            sealed += 1
        }
        for row in try await reader.query("""
            SELECT name, authorization FROM defender_scanners WHERE authorization IS NOT NULL AND authorization NOT LIKE 'sealed:%'
            """) {
            guard let name = row.string("name"), let authorization = row.string("authorization") else { continue }
            _ = try await write("UPDATE defender_scanners SET authorization = ? WHERE name = ?",
                                [.text(try sealText(authorization, context: Self.scannerAuthorizationContext)), .text(name)])
            sealed += 1
        }
        webhookCache = nil
        return sealed
    }
}
