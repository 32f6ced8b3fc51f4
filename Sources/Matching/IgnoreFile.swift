import Foundation
import Yams

/// Reads ignore files (YAML, or JSON of the same shape): every entry needs an id and a
/// justification; unknown keys are errors, so a typo cannot silently ignore nothing.
public enum IgnoreFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ path: String) throws -> [IgnoreRule] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20 else {
            throw Error(description: "cannot read ignore file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) throws -> [IgnoreRule] {
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch {
            throw Error(description: "\(name) is not valid YAML")
        }
        guard let top = document as? [String: Any], let entries = top["ignore"] as? [Any], top.count == 1 else {
            throw Error(description: "\(name) must have one top-level key 'ignore' holding a list")
        }
        return try entries.enumerated().map { index, raw in
            let position = "\(name): entry \(index + 1)"
            guard let entry = raw as? [String: Any] else { throw Error(description: "\(position) is not a mapping") }
            let allowed: Set<String> = ["id", "package", "justification", "expires"]
            if let unknown = entry.keys.first(where: { !allowed.contains($0) }) {
                throw Error(description: "\(position) has an unknown key '\(unknown)' (allowed: id, package, justification, expires)")
            }
            guard let id = entry["id"] as? String, !id.isEmpty else { throw Error(description: "\(position) has no id") }
            guard let justification = entry["justification"] as? String, !justification.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Error(description: "\(position) (\(id)) has no justification")
            }
            var expires: Date?
            if let raw = entry["expires"] {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withFullDate]
                if let date = raw as? Date {
                    expires = date
                } else if let text = raw as? String, let date = formatter.date(from: text) {
                    expires = date
                } else {
                    throw Error(description: "\(position) (\(id)): expires must be a date like 2027-06-30")
                }
                // The rule holds through the whole of its last day.
                expires = expires?.addingTimeInterval(86_400)
            }
            return IgnoreRule(id: id, package: entry["package"] as? String, justification: justification, expires: expires)
        }
    }
}
