import Foundation
import Yams

/// A loosely typed document tree that JSON and YAML records are both read into.
///
/// YAML scalars are kept as the text that was written (never resolved to numbers, booleans or
/// timestamps), because advisory data is full of values that a YAML 1.1 loader would mangle:
/// versions such as `1.10` (a float), unquoted `modified` timestamps (date objects), `~` for
/// "no CVE". Typed accessors below interpret that text on demand.
enum Doc: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Doc])
    case object([(String, Doc)])

    static func == (a: Doc, b: Doc) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    subscript(key: String) -> Doc? {
        guard case .object(let pairs) = self else { return nil }
        for (k, v) in pairs where k == key { return v }
        return nil
    }

    var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Scalar text; numbers are written without a trailing `.0` when integral.
    var string: String? {
        switch self {
        case .string(let s): return s
        case .number(let d):
            if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// Non-empty trimmed scalar text.
    var nonEmptyString: String? {
        guard let s = string?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        return s
    }

    var double: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: return nil
            }
        default: return nil
        }
    }

    var array: [Doc]? { if case .array(let a) = self { return a } else { return nil } }
    var object: [(String, Doc)]? { if case .object(let o) = self { return o } else { return nil } }

    /// A list of strings from either a list or a single scalar (advisories mix the two).
    var stringList: [String] {
        switch self {
        case .array(let items): return items.compactMap(\.nonEmptyString)
        case .null: return []
        default: return nonEmptyString.map { [$0] } ?? []
        }
    }
}

// MARK: - Loading

struct DocumentError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum DocLoader {
    /// Files above this size are skipped with a reason rather than read.
    static let defaultMaxBytes = 16 * 1024 * 1024

    static func readData(_ url: URL, maxBytes: Int = defaultMaxBytes) throws -> Data {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DocumentError("unreadable: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            if size > UInt64(maxBytes) { throw DocumentError("file too large (\(size) bytes > \(maxBytes))") }
            try handle.seek(toOffset: 0)
            // Read one byte past the limit so a file that grew meanwhile is still caught.
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            if data.count > maxBytes { throw DocumentError("file too large (more than \(maxBytes) bytes)") }
            return data
        } catch let e as DocumentError {
            throw e
        } catch {
            throw DocumentError("unreadable: \(error.localizedDescription)")
        }
    }

    static func load(_ url: URL, maxBytes: Int = defaultMaxBytes) throws -> Doc {
        let data = try readData(url, maxBytes: maxBytes)
        switch url.pathExtension.lowercased() {
        case "yaml", "yml": return try yaml(data)
        default: return try json(data)
        }
    }

    static func json(_ data: Data) throws -> Doc {
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw DocumentError("invalid JSON: \(String(describing: error).prefix(160))")
        }
        return convert(any, depth: 0)
    }

    private static func convert(_ value: Any, depth: Int) -> Doc {
        if depth > 64 { return .null }
        switch value {
        case let s as String: return .string(s)
        case let d as [String: Any]:
            return .object(d.map { ($0.key, convert($0.value, depth: depth + 1)) }.sorted { $0.0 < $1.0 })
        case let a as [Any]: return .array(a.map { convert($0, depth: depth + 1) })
        case is NSNull: return .null
        case let n as NSNumber:
            // JSONSerialization gives booleans as NSNumber too; tell them apart by their type encoding.
            let t = String(cString: n.objCType)
            if t == "c" || t == "B" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        case let b as Bool: return .bool(b)
        case let d as Double: return .number(d)
        case let i as Int: return .number(Double(i))
        default: return .null
        }
    }

    static func yaml(_ data: Data) throws -> Doc {
        guard let text = String(data: data, encoding: .utf8) else { throw DocumentError("not UTF-8") }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw DocumentError("invalid YAML: \(String(describing: error).prefix(160))")
        }
        guard let node else { return .null }
        return convert(node, depth: 0)
    }

    private static func convert(_ node: Node, depth: Int) -> Doc {
        if depth > 64 { return .null }
        if let m = node.mapping {
            var pairs: [(String, Doc)] = []
            pairs.reserveCapacity(m.count)
            for (k, v) in m { pairs.append((k.string ?? "", convert(v, depth: depth + 1))) }
            return .object(pairs)
        }
        if let s = node.sequence {
            return .array(s.map { convert($0, depth: depth + 1) })
        }
        if let sc = node.scalar {
            if sc.style == .plain, ["", "~", "null", "Null", "NULL"].contains(sc.string) { return .null }
            return .string(sc.string)
        }
        return .null
    }
}
