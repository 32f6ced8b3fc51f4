import CYaml
import Yams

/// Loads YAML lockfiles with Yams, after a check that keeps hostile input from reaching it:
/// Yams builds its node tree recursively and overflows the stack on deeply nested input
/// (`[[[[…` a few ten thousand levels deep crashes the process), and aliases can make a small
/// file expand without bound. The check runs libyaml's event parser, which is iterative, and
/// rejects documents nested deeper than `maxDepth` or using more than `maxAliases` aliases.
/// Lockfiles written by package managers are a handful of levels deep and use no aliases.
enum ManifestYAML {
    static let maxDepth = 64
    static let maxAliases = 1_000

    static func documents(_ text: String, path: String) throws -> [Node] {
        try checkShape(text, path: path)
        do {
            let parser = try Parser(yaml: text)
            var documents: [Node] = []
            while let document = try parser.nextRoot() {
                documents.append(document)
            }
            return documents
        } catch {
            throw AnalysisError.malformed(path, "not valid YAML")
        }
    }

    private static func checkShape(_ text: String, path: String) throws {
        let bytes = Array(text.utf8)
        // libyaml asserts on a null input pointer, which an empty buffer may have.
        guard !bytes.isEmpty else { throw AnalysisError.malformed(path, "empty YAML") }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw AnalysisError.malformed(path, "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let problem: String? = bytes.withUnsafeBufferPointer { buffer -> String? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var depth = 0
            var aliases = 0
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return "not valid YAML" }
                let type = event.type
                yaml_event_delete(&event)
                switch type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth { return "YAML nested deeper than \(maxDepth) levels" }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_ALIAS_EVENT:
                    aliases += 1
                    if aliases > maxAliases { return "more than \(maxAliases) YAML aliases" }
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
        }
        if let problem { throw AnalysisError.malformed(path, problem) }
    }
}

extension Node {
    /// A mapping's entries keyed by their scalar keys (Yams looks keys up linearly).
    var scalarKeyedMapping: [String: Node] {
        guard let mapping else { return [:] }
        var entries: [String: Node] = [:]
        entries.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            if let key = key.scalar?.string, entries[key] == nil { entries[key] = value }
        }
        return entries
    }
}
