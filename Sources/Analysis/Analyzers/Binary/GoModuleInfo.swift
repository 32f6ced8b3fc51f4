import Foundation

/// The module text that cmd/go embeds in a binary and `go version -m` prints, parsed the way
/// `runtime/debug.ParseBuildInfo` reads it:
///
///     path	example.com/hello/cmd/hello
///     mod	example.com/hello	(devel)
///     dep	golang.org/x/text	v0.3.7	h1:…
///     =>	../text	(devel)
///     build	GOOS=linux
///
/// Lines are tab-separated and only complete (newline-terminated) lines count. A `=>` line
/// replaces the module on the line before it. `build` keys and values may be Go-quoted. Unlike
/// Go, a malformed line is skipped instead of rejecting the whole text, so that one odd line does
/// not hide every other dependency; blank lines (Go 1.19 writes one after each replacement) and
/// unknown lines are ignored as Go ignores them.
struct GoModuleInfo {
    struct Module: Equatable {
        var path: String
        var version: String
        var sum: String
        var replacement: Replacement?
    }

    struct Replacement: Equatable {
        var path: String
        var version: String
        var sum: String
    }

    /// The main package's import path (`path` line).
    var mainPackagePath: String?
    /// The main module (`mod` line); absent for GOPATH-mode and `go build file.go` builds.
    var main: Module?
    var dependencies: [Module] = []
    var settings: [(key: String, value: String)] = []

    init(parsing text: String) {
        enum Last { case none, main, dependency(Int) }
        var last = Last.none
        // Go works on bytes: split on the newline and tab bytes, not on Characters (where "\r\n"
        // or a tab followed by a combining mark would be one unit).
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The text after the last newline is not a complete line.
        lines.removeLast()
        for line in lines {
            if let rest = line.dropPrefix("path\t") {
                mainPackagePath = String(decoding: rest, as: UTF8.self)
            } else if let rest = line.dropPrefix("mod\t") {
                main = Self.module(rest)
                last = main == nil ? .none : .main
            } else if let rest = line.dropPrefix("dep\t") {
                if let module = Self.module(rest) {
                    dependencies.append(module)
                    last = .dependency(dependencies.count - 1)
                } else {
                    last = .none
                }
            } else if let rest = line.dropPrefix("=>\t") {
                let columns = Self.columns(rest)
                if columns.count == 3 {
                    let replacement = Replacement(path: columns[0], version: columns[1], sum: columns[2])
                    switch last {
                    case .main: main?.replacement = replacement
                    case .dependency(let index): dependencies[index].replacement = replacement
                    case .none: break
                    }
                }
                last = .none
            } else if let rest = line.dropPrefix("build\t") {
                if let setting = Self.setting(Substring(String(decoding: rest, as: UTF8.self))) {
                    settings.append(setting)
                }
            }
        }
    }

    private static func columns(_ text: Substring.UTF8View) -> [String] {
        text.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    private static func module(_ text: Substring.UTF8View) -> Module? {
        let columns = columns(text)
        guard columns.count == 2 || columns.count == 3 else { return nil }
        return Module(path: columns[0], version: columns[1], sum: columns.count == 3 ? columns[2] : "", replacement: nil)
    }

    /// `key=value`, where a key or value that needs it is a Go quoted string.
    private static func setting(_ text: Substring) -> (key: String, value: String)? {
        guard let first = text.first, first != "=" else { return nil }
        let key: String
        let rest: Substring
        if first == "\"" || first == "`" {
            guard let (quoted, after) = GoQuotedString.prefix(of: text), after.first == "=" else { return nil }
            key = quoted
            rest = after.dropFirst()
        } else {
            guard let equals = text.firstIndex(of: "=") else { return nil }
            key = String(text[..<equals])
            rest = text[text.index(after: equals)...]
        }
        if let open = rest.first, open == "\"" || open == "`" {
            guard let (value, after) = GoQuotedString.prefix(of: rest), after.isEmpty else { return nil }
            return (key, value)
        }
        return (key, String(rest))
    }
}

/// Go string literals as `strconv.Quote` writes them (double-quoted with escapes, or raw in
/// backquotes), as they appear in `build` lines.
enum GoQuotedString {
    /// The unquoted value of the literal at the start of `text`, and the text after it.
    static func prefix(of text: Substring) -> (String, Substring)? {
        let scalars = text.unicodeScalars
        guard let open = scalars.first else { return nil }
        var index = scalars.index(after: scalars.startIndex)
        if open == "`" {
            guard let close = scalars[index...].firstIndex(of: "`") else { return nil }
            return (String(scalars[index ..< close]), Substring(scalars[scalars.index(after: close)...]))
        }
        guard open == "\"" else { return nil }
        var bytes: [UInt8] = []
        func take(_ count: Int, radix: Int) -> UInt32? {
            var value: UInt32 = 0
            for _ in 0 ..< count {
                guard index < scalars.endIndex, let digit = Int(String(scalars[index]), radix: radix) else { return nil }
                value = value &* UInt32(radix) &+ UInt32(digit)
                index = scalars.index(after: index)
            }
            return value
        }
        func append(_ scalar: Unicode.Scalar) { bytes.append(contentsOf: Array(String(scalar).utf8)) }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            switch scalar {
            case "\"":
                return (String(decoding: bytes, as: UTF8.self), Substring(scalars[index...]))
            case "\n":
                return nil
            case "\\":
                guard index < scalars.endIndex else { return nil }
                let escape = scalars[index]
                index = scalars.index(after: index)
                switch escape {
                case "a": bytes.append(7)
                case "b": bytes.append(8)
                case "f": bytes.append(12)
                case "n": bytes.append(10)
                case "r": bytes.append(13)
                case "t": bytes.append(9)
                case "v": bytes.append(11)
                case "\\", "\"", "'": append(escape)
                case "x":
                    guard let value = take(2, radix: 16) else { return nil }
                    bytes.append(UInt8(value))
                case "u", "U":
                    guard let value = take(escape == "u" ? 4 : 8, radix: 16), let decoded = Unicode.Scalar(value) else { return nil }
                    append(decoded)
                case "0" ... "7":
                    index = scalars.index(before: index)
                    guard let value = take(3, radix: 8), value <= 255 else { return nil }
                    bytes.append(UInt8(value))
                default:
                    return nil
                }
            default:
                append(scalar)
            }
        }
        return nil
    }
}

extension Substring.UTF8View {
    /// The bytes after `prefix`, or nil when these do not start with it.
    func dropPrefix(_ prefix: String) -> Substring.UTF8View? {
        starts(with: prefix.utf8) ? dropFirst(prefix.utf8.count) : nil
    }
}
