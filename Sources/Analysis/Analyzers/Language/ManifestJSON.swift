import Foundation

/// A parsed JSON document kept untyped, so that one field of an unexpected type skips one record
/// instead of failing the whole file (`"version": 1` in one lockfile entry, `"license": null`).
/// Booleans stay distinct from numbers: `"dev": 1` is not `"dev": true`.
enum JSONValue: Sendable, Equatable, Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A string with something in it besides white space, trimmed.
    var nonEmptyString: String? {
        guard case .string(let value) = self else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    var isTrue: Bool { self == .bool(true) }
}

/// Parses JSON manifests. Foundation's decoder rejects documents nested deeper than 512 levels,
/// so hostile nesting fails here instead of overflowing the stack later.
enum ManifestJSON {
    static func parse(_ data: Data, path: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw AnalysisError.malformed(path, "not valid JSON\(reason(error))")
        }
    }

    /// The top level, which every manifest format here requires to be an object.
    static func parseObject(_ data: Data, path: String) throws -> [String: JSONValue] {
        guard let object = try parse(data, path: path).object else {
            throw AnalysisError.malformed(path, "the top level is not a JSON object")
        }
        return object
    }

    private static func reason(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "" }
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        guard let text = underlying ?? Optional(context.debugDescription), !text.isEmpty else { return "" }
        return ": " + String(text.prefix(160))
    }
}
