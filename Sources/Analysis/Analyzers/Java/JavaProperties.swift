import Foundation

/// Java `.properties` text (java.util.Properties.load), as Maven writes `pom.properties`:
/// `key=value`, `key: value` or `key value` lines, `#` and `!` comments, backslash line
/// continuations (leading blanks of the next line dropped) and escapes (`\t`, `\n`, `\uXXXX`, and
/// `\x` for any other x). The last definition of a key wins.
enum JavaProperties {
    static func parse(_ data: Data) -> [String: String] {
        var result: [String: String] = [:]
        for line in logicalLines(String(decoding: data, as: UTF8.self)) {
            let scalars = Array(line.unicodeScalars)
            var index = 0
            while index < scalars.count, isBlank(scalars[index]) { index += 1 }
            guard index < scalars.count, scalars[index] != "#", scalars[index] != "!" else { continue }
            // The key ends at the first unescaped '=', ':' or blank.
            var keyEnd = index
            while keyEnd < scalars.count {
                let scalar = scalars[keyEnd]
                if scalar == "\\" { keyEnd += 2; continue }
                if scalar == "=" || scalar == ":" || isBlank(scalar) { break }
                keyEnd += 1
            }
            keyEnd = min(keyEnd, scalars.count)
            var valueStart = keyEnd
            while valueStart < scalars.count, isBlank(scalars[valueStart]) { valueStart += 1 }
            if valueStart < scalars.count, scalars[valueStart] == "=" || scalars[valueStart] == ":" {
                valueStart += 1
                while valueStart < scalars.count, isBlank(scalars[valueStart]) { valueStart += 1 }
            }
            let key = unescape(scalars[index ..< keyEnd])
            result[key] = unescape(scalars[valueStart...])
        }
        return result
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{0C}"
    }

    /// Physical lines joined where a line ends in an odd number of backslashes.
    private static func logicalLines(_ text: String) -> [String] {
        var lines: [String] = []
        var pending: String.UnicodeScalarView?
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        func endLine() {
            var trailing = 0
            for scalar in current.reversed() {
                guard scalar == "\\" else { break }
                trailing += 1
            }
            var joined = pending ?? String.UnicodeScalarView()
            if trailing % 2 == 1 {
                joined.append(contentsOf: current.dropLast())
                pending = joined
            } else {
                joined.append(contentsOf: current)
                lines.append(String(joined))
                pending = nil
            }
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                endLine()
            } else if pending != nil && current.isEmpty && isBlank(scalar) {
                continue   // leading blanks of a continuation line
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty || pending != nil { endLine() }
        if let pending { lines.append(String(pending)) }
        return lines
    }

    private static func unescape(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var result = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index += 1
            guard scalar == "\\", index < scalars.endIndex else {
                if scalar != "\\" { result.append(scalar) }
                continue
            }
            let escaped = scalars[index]
            index += 1
            switch escaped {
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "f": result.append("\u{0C}")
            case "u":
                let digits = scalars[index ..< min(index + 4, scalars.endIndex)]
                if digits.count == 4, let value = UInt32(String(String.UnicodeScalarView(digits)), radix: 16),
                   let decoded = Unicode.Scalar(value) {
                    result.append(decoded)
                    index += 4
                } else {
                    result.append(escaped)
                }
            default: result.append(escaped)
            }
        }
        return String(result)
    }
}
