/// A Maven artifact version ordered like org.apache.maven.artifact.versioning.ComparableVersion
/// (as in maven-artifact 3.8.7, the version Debian ships): items split on `.`, `-` and digit/letter transitions, a `-` opens a sub-list,
/// trailing "null" items are dropped, `.X` qualifiers count as `-X`, and qualifiers order
/// alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < unknown (lexical).
public struct MavenVersion: EcosystemVersion {
    indirect enum Item: Equatable {
        case number(String)     // digits without leading zeros ("" never occurs; zero is "0")
        case string(String)     // lower-cased, aliases applied
        case list([Item])
    }

    public let description: String
    let items: [Item]

    public init(_ string: String) throws(VersionParseError) {
        let s = ASCII.trimmed(string)
        if s.isEmpty { throw VersionParseError(string, "version string is empty") }
        description = String(s)
        items = Self.parse(String(s).lowercased())
    }

    /// Maven's own normalised spelling, handy for diagnostics.
    public var canonical: String { Self.render(items) }

    public func compare(to o: MavenVersion) -> Ordering { Self.compareLists(items, o.items) }
    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    // MARK: parsing (a port of ComparableVersion.parseVersion)

    private static func parse(_ version: String) -> [Item] {
        // Each open list is a stack frame; children are appended as items of the parent on close.
        var stack: [[Item]] = [[]]
        var isDigit = false
        let chars = Array(version.unicodeScalars)
        var start = 0

        func add(_ item: Item) { stack[stack.count - 1].append(item) }
        func openList() { stack.append([]) }
        func text(_ a: Int, _ b: Int) -> String { String(String.UnicodeScalarView(chars[a..<b])) }

        for (i, c) in chars.enumerated() {
            if c == "." {
                add(i == start ? .number("0") : parseItem(isDigit, text(start, i)))
                start = i + 1
            } else if c == "-" {
                add(i == start ? .number("0") : parseItem(isDigit, text(start, i)))
                start = i + 1
                openList()
            } else if c.properties.numericType == .decimal && c.isASCII {
                if !isDigit && i > start {
                    // Maven 3.8+: ".X1" is read as "-X1", so a qualifier after a dot opens a sub-list.
                    if !(stack.last ?? []).isEmpty { openList() }
                    add(stringItem(text(start, i), followedByDigit: true))
                    start = i
                    openList()
                }
                isDigit = true
            } else {
                if isDigit && i > start {
                    add(parseItem(true, text(start, i)))
                    start = i
                    openList()
                }
                isDigit = false
            }
        }
        if chars.count > start {
            // Same rule for a trailing qualifier: "1.0.X" is "1.0-X".
            if !isDigit && !(stack.last ?? []).isEmpty { openList() }
            add(parseItem(isDigit, text(start, chars.count)))
        }
        // Close the nested lists innermost first, normalising each as Maven does.
        while stack.count > 1 {
            let inner = normalize(stack.removeLast())
            stack[stack.count - 1].append(.list(inner))
        }
        return normalize(stack[0])
    }

    private static func parseItem(_ isDigit: Bool, _ buf: String) -> Item {
        isDigit ? .number(ASCII.stripDigitsLeadingZeros(Substring(buf))) : stringItem(buf, followedByDigit: false)
    }

    private static func stringItem(_ raw: String, followedByDigit: Bool) -> Item {
        var v = raw
        if followedByDigit && v.count == 1 {
            switch v {
            case "a": v = "alpha"
            case "b": v = "beta"
            case "m": v = "milestone"
            default: break
            }
        }
        switch v {
        case "ga", "final", "release": v = ""
        case "cr": v = "rc"
        default: break
        }
        return .string(v)
    }

    private static func isNull(_ item: Item) -> Bool {
        switch item {
        case .number(let n): return n == "0"
        case .string(let s): return s.isEmpty
        case .list(let l): return l.isEmpty
        }
    }

    /// Drops trailing null items, looking through trailing sub-lists (ListItem.normalize).
    private static func normalize(_ list: [Item]) -> [Item] {
        var l = list
        var i = l.count - 1
        while i >= 0 {
            if isNull(l[i]) {
                l.remove(at: i)
            } else if case .list = l[i] {
                // keep scanning past a non-null list
            } else {
                break
            }
            i -= 1
        }
        return l
    }

    // MARK: comparison

    private static let qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]

    private static func comparableQualifier(_ q: String) -> [UInt16] {
        if let i = qualifiers.firstIndex(of: q) { return Array(String(i).utf16) }
        return Array("\(qualifiers.count)-\(q)".utf16)
    }

    private static func compareUTF16(_ a: [UInt16], _ b: [UInt16]) -> Ordering {
        for (x, y) in zip(a, b) where x != y { return x < y ? .less : .greater }
        return Ordering(a.count, b.count)
    }

    /// `Item.compareTo(item)`, where nil stands for a missing item in the shorter list.
    private static func compare(_ a: Item, _ b: Item?) -> Ordering {
        switch a {
        case .number(let n):
            guard let b else { return n == "0" ? .equal : .greater }
            if case .number(let m) = b { return ASCII.compareDigits(n.utf8, m.utf8) }
            return .greater
        case .string(let s):
            guard let b else { return compareUTF16(comparableQualifier(s), comparableQualifier("")) }
            switch b {
            case .number, .list: return .less
            case .string(let t): return compareUTF16(comparableQualifier(s), comparableQualifier(t))
            }
        case .list(let l):
            guard let b else {
                for item in l {
                    let r = compare(item, nil)
                    if r != .equal { return r }
                }
                return .equal
            }
            switch b {
            case .number: return .less
            case .string: return .greater
            case .list(let m): return compareLists(l, m)
            }
        }
    }

    private static func compareLists(_ l: [Item], _ m: [Item]) -> Ordering {
        for k in 0..<max(l.count, m.count) {
            let r: Ordering
            if k < l.count {
                r = compare(l[k], k < m.count ? m[k] : nil)
            } else {
                r = compare(m[k], nil).reversed
            }
            if r != .equal { return r }
        }
        return .equal
    }

    private static func render(_ items: [Item]) -> String {
        var out = ""
        for item in items {
            if !out.isEmpty {
                if case .list = item { out += "-" } else { out += "." }
            }
            switch item {
            case .number(let n): out += n
            case .string(let s): out += s
            case .list(let l): out += render(l)
            }
        }
        return out
    }
}
