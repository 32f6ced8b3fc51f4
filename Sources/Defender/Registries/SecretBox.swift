import Crypto
import Foundation

/// Encrypts the credentials the defender keeps (passwords of enrolled registries, adapters'
/// and webhooks' secrets) with AES-256-GCM under one key kept outside the database: a copy of
/// defender.sqlite alone (a backup, a support bundle) does not give the credentials away.
///
/// The key is 32 bytes in a file: given with `--secret-key-file`, or generated on first use
/// into the data directory with mode 0600. Each sealed value is bound to what it belongs to
/// (`registry:NAME`), so a value copied into another row does not open.
public struct SecretBox: Sendable {
    private let key: SymmetricKey
    /// Marks the format of a sealed value (a later key rotation can add a version).
    private static let version: UInt8 = 1

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Reads the key file; when it does not exist and `create` is set, makes a new random key
    /// there (mode 0600, never replacing a file that appeared meanwhile).
    ///
    /// The file holds the key as 64 hexadecimal digits, as base64, or as 32 raw bytes.
    public static func load(path: String, create: Bool) throws -> SecretBox {
        if let data = FileManager.default.contents(atPath: path) {
            guard let key = parse(data) else {
                throw DefenderError(.invalid, "the secret key file \(path) must hold 32 bytes (64 hex digits, base64, or raw)")
            }
            return SecretBox(key: SymmetricKey(data: key))
        }
        guard create else { throw DefenderError(.invalid, "the secret key file \(path) does not exist") }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() } + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            // Another process made it first: use theirs.
            if errno == EEXIST { return try load(path: path, create: false) }
            throw DefenderError(.invalid, "cannot create the secret key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = hex.withCString { write(fd, $0, strlen($0)) }
        guard written == hex.utf8.count, fsync(fd) == 0 else {
            unlink(path)
            throw DefenderError(.invalid, "cannot write the secret key file \(path)")
        }
        return SecretBox(key: key)
    }

    static func parse(_ data: Data) -> Data? {
        if data.count == 32, String(data: data, encoding: .utf8)?.allSatisfy(\.isHexDigit) != true { return data }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var bytes = Data(capacity: 32)
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            return bytes
        }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 { return decoded }
        return nil
    }

    /// The value sealed, bound to `context` (version byte, nonce, ciphertext, tag).
    public func seal(_ plaintext: String, context: String) throws -> Data {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw DefenderError(.invalid, "cannot encrypt a secret") }
        return Data([Self.version]) + combined
    }

    /// Opens a value sealed by `seal` with the same context; fails on another key or context.
    public func unseal(_ sealed: Data, context: String) throws -> String {
        guard sealed.first == Self.version else { throw DefenderError(.invalid, "a stored secret is in an unknown format") }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(context.utf8)), as: UTF8.self)
        } catch {
            throw DefenderError(.invalid, "a stored secret does not open with this secret key (was --secret-key-file changed?)")
        }
    }
}
