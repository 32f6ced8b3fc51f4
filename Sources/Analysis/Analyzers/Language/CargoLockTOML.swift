/// The part of TOML (https://toml.io/en/v1.0.0) that Cargo.lock uses: `[table]` and
/// `[[array-of-tables]]` headers, `key = "string"` pairs, comments, and values we do not need
/// (arrays such as `dependencies = [ … ]` spanning lines, numbers, inline tables), which are
/// skipped by tracking brackets and quotes. Lines it cannot read are skipped; a file with no
/// table and no key at all is not TOML.
enum CargoLockTOML {
    struct Table {
        var header: String
        var strings: [String: String] = [:]
    }

    static let maxTables = 1_000_000

    static func tables(_ text: String, path: String) throws -> [Table] {
        var tables: [Table] = []
        var current = Table(header: "")
        var recognised = false
        var unrecognised = false
        var openBrackets = 0  // inside a multi-line array or inline table value
        var inMultilineString: String?  // the closing delimiter

        for rawLine in ManifestInput.lines(text) {
            if let closing = inMultilineString {
                if rawLine.contains(closing) { inMultilineString = nil }
                continue
            }
            if openBrackets > 0 {
                openBrackets = max(0, openBrackets + bracketBalance(rawLine))
                continue
            }
            let line = ManifestInput.trimmed(stripComment(rawLine))
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { unrecognised = true; continue }
                tables.append(current)
                guard tables.count < maxTables else { break }
                current = Table(header: line.filter { $0 != " " && $0 != "\t" })
                recognised = true
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { unrecognised = true; continue }
            var key = ManifestInput.trimmed(line[..<equals])
            if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
            let value = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            recognised = true
            if value.hasPrefix("\"\"\"") || value.hasPrefix("'''") {
                let delimiter = String(value.prefix(3))
                if !value.dropFirst(3).contains(delimiter) { inMultilineString = delimiter }
                continue
            }
            if let string = basicString(value) {
                if current.strings[key] == nil { current.strings[key] = string }
            } else if value.first == "[" || value.first == "{" {
                openBrackets = max(0, bracketBalance(value))
            }
        }
        tables.append(current)
        if !recognised && unrecognised {
            throw AnalysisError.malformed(path, "not TOML")
        }
        return tables
    }

    /// `"text"` with TOML escapes, or `'literal'`; nil for any other value.
    static func basicString(_ value: Substring) -> String? {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return nil }
        var result = ""
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let char = value[index]
            if char == quote { return result }
            if quote == "\"", char == "\\" {
                let next = value.index(after: index)
                guard next < value.endIndex else { return nil }
                switch value[next] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                default: result.append(value[next])
                }
                index = value.index(after: next)
                continue
            }
            result.append(char)
            index = value.index(after: index)
        }
        return nil
    }

    /// The line up to a `#` that is not inside a string.
    static func stripComment(_ line: Substring) -> Substring {
        var quote: Character?
        var escaped = false
        for index in line.indices {
            let char = line[index]
            if let open = quote {
                if escaped { escaped = false } else if char == "\\" && open == "\"" { escaped = true } else if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == "#" {
                return line[..<index]
            }
        }
        return line
    }

    /// Opening minus closing `[`/`{` outside strings and comments.
    static func bracketBalance<S: StringProtocol>(_ text: S) -> Int {
        var balance = 0
        var quote: Character?
        var escaped = false
        for char in text {
            if let open = quote {
                if escaped { escaped = false } else if char == "\\" && open == "\"" { escaped = true } else if char == open { quote = nil }
                continue
            }
            switch char {
            case "\"", "'": quote = char
            case "#": return balance
            case "[", "{": balance += 1
            case "]", "}": balance -= 1
            default: break
            }
        }
        return balance
    }
}
