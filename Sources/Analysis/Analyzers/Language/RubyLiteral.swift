/// The few Ruby literals that gemspecs written by rubygems (`Gem::Specification#to_ruby`) use on
/// the right of an assignment: double- and single-quoted strings, `%q{…}` / `%Q(…)` / `%{…}`
/// strings, arrays of those, each optionally followed by `.freeze`. Anything else (method calls,
/// interpolation `#{…}`, which would need a Ruby interpreter) is not a literal and yields nil.
enum RubyLiteral {
    /// A string literal at the start of `text`; returns its value and the text after it.
    static func string(_ text: Substring) -> (value: String, rest: Substring)? {
        let text = text.drop { $0 == " " || $0 == "\t" }
        guard let first = text.first else { return nil }
        let parsed: (String, Substring)?
        switch first {
        case "\"": parsed = doubleQuoted(text.dropFirst(), close: "\"", open: nil)
        case "'": parsed = singleQuoted(text.dropFirst())
        case "%": parsed = percent(text.dropFirst())
        default: parsed = nil
        }
        guard let (value, rest) = parsed else { return nil }
        return (value, dropMethodCalls(rest))
    }

    /// `["MIT".freeze, "Ruby".freeze]`; nil unless every element is a string literal.
    static func stringArray(_ text: Substring) -> [String]? {
        var rest = text.drop { $0 == " " || $0 == "\t" }
        guard rest.first == "[" else { return nil }
        rest = rest.dropFirst()
        var values: [String] = []
        while values.count < 256 {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," || $0.isNewline }
            if rest.first == "]" { return values }
            guard let (value, after) = string(rest) else { return nil }
            values.append(value)
            rest = after
        }
        return nil
    }

    /// `.freeze`, `.dup`, `.to_s` and the like after a literal change nothing we read.
    private static func dropMethodCalls(_ text: Substring) -> Substring {
        var rest = text
        while rest.first == "." {
            let name = rest.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else { break }
            rest = rest.dropFirst(1 + name.count)
        }
        return rest
    }

    private static func singleQuoted(_ text: Substring) -> (String, Substring)? {
        var value = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if char == "'" { return (value, text[text.index(after: index)...]) }
            if char == "\\" {
                let next = text.index(after: index)
                if next < text.endIndex, text[next] == "'" || text[next] == "\\" {
                    value.append(text[next])
                    index = text.index(after: next)
                    continue
                }
            }
            value.append(char)
            index = text.index(after: index)
        }
        return nil
    }

    /// A double-quoted (or `%Q`) string ending at `close`; `open` is the opening bracket when the
    /// delimiters nest (`%Q(a (b) c)`).
    private static func doubleQuoted(_ text: Substring, close: Character, open: Character?) -> (String, Substring)? {
        var value = ""
        var nesting = 0
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            var next = text.index(after: index)
            if char == "\\" {
                guard next < text.endIndex else { return nil }
                let escaped = text[next]
                next = text.index(after: next)
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "u":
                    guard let (scalar, after) = unicodeEscape(text[next...]) else { return nil }
                    value.unicodeScalars.append(scalar)
                    next = after
                default: value.append(escaped)
                }
            } else if char == "#", next < text.endIndex, text[next] == "{" {
                return nil  // interpolation
            } else if let open, char == open {
                nesting += 1
                value.append(char)
            } else if char == close {
                if nesting == 0 { return (value, text[next...]) }
                nesting -= 1
                value.append(char)
            } else {
                value.append(char)
            }
            index = next
        }
        return nil
    }

    /// `\u00E9` or `\u{E9}` after the `\u`.
    private static func unicodeEscape(_ text: Substring) -> (Unicode.Scalar, Substring.Index)? {
        let digits: Substring
        let end: Substring.Index
        if text.first == "{" {
            let inner = text.dropFirst().prefix { $0 != "}" }
            guard inner.endIndex < text.endIndex, inner.count <= 6 else { return nil }
            digits = inner
            end = text.index(after: inner.endIndex)
        } else {
            digits = text.prefix(4)
            guard digits.count == 4 else { return nil }
            end = digits.endIndex
        }
        guard let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
        return (scalar, end)
    }

    /// `%q{…}`, `%Q{…}`, `%{…}` with (), [], {}, <> or a repeated punctuation character.
    private static func percent(_ text: Substring) -> (String, Substring)? {
        var rest = text
        var interpolating = true
        if rest.first == "q" { interpolating = false; rest = rest.dropFirst() }
        else if rest.first == "Q" { rest = rest.dropFirst() }
        guard let open = rest.first, !open.isLetter, !open.isNumber, !open.isWhitespace else { return nil }
        let pairs: [Character: Character] = ["(": ")", "[": "]", "{": "}", "<": ">"]
        let close = pairs[open] ?? open
        let nestingOpen: Character? = pairs[open] == nil ? nil : open
        let body = rest.dropFirst()
        if interpolating { return doubleQuoted(body, close: close, open: nestingOpen) }
        // %q: no escapes but \\ and the delimiters; brackets nest.
        var value = ""
        var nesting = 0
        var index = body.startIndex
        while index < body.endIndex {
            let char = body[index]
            var next = body.index(after: index)
            if char == "\\", next < body.endIndex, body[next] == close || body[next] == "\\" || body[next] == open {
                value.append(body[next])
                next = body.index(after: next)
            } else if let nestingOpen, char == nestingOpen {
                nesting += 1
                value.append(char)
            } else if char == close {
                if nesting == 0 { return (value, body[next...]) }
                nesting -= 1
                value.append(char)
            } else {
                value.append(char)
            }
            index = next
        }
        return nil
    }
}
