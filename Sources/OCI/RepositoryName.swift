/// A repository name (`library/debian`, `team/app/api`) following the distribution spec grammar:
/// path components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`.
public struct RepositoryName: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// Distribution limits the whole name (with a host) to 255 characters; without a host we keep
    /// the same bound so names stay portable between registries.
    public static let maxLength = 255

    public let value: String

    public init(_ string: String) throws(OCIError) {
        guard !string.isEmpty else { throw OCIError(.nameInvalid, "repository name is empty") }
        guard string.utf8.count <= Self.maxLength else {
            throw OCIError(.nameInvalid, "repository name is longer than \(Self.maxLength) characters")
        }
        // Component by component, on the UTF-8 view: every registry request validates a name, so
        // this allocates nothing.
        let utf8 = string.utf8
        var start = utf8.startIndex
        var index = start
        while true {
            if index == utf8.endIndex || utf8[index] == UInt8(ascii: "/") {
                guard Self.isValidComponent(utf8[start..<index]) else {
                    let component = string[start..<index]
                    throw OCIError(.nameInvalid, "invalid repository name '\(string.prefix(100))': component '\(component.prefix(60))' must match [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*")
                }
                if index == utf8.endIndex { break }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        value = string
    }

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    static func isValidComponent(_ bytes: Substring.UTF8View) -> Bool {
        // A separator run since the last alphanumeric: its length, first byte, and whether it
        // mixes kinds. Valid runs are ".", "_", "__" and any number of "-".
        var sawAlnum = false
        var runLength = 0
        var runByte: UInt8 = 0
        var runMixed = false
        for c in bytes {
            let alnum = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            if alnum {
                if runLength > 0 {
                    guard !runMixed, runByte == 0x2D || (runByte == 0x2E && runLength == 1) || (runByte == 0x5F && runLength <= 2)
                    else { return false }
                    runLength = 0
                }
                sawAlnum = true
            } else if c == 0x2E || c == 0x5F || c == 0x2D {
                guard sawAlnum else { return false }
                if runLength == 0 {
                    runByte = c
                    runMixed = false
                } else if c != runByte {
                    runMixed = true
                }
                runLength += 1
            } else {
                return false
            }
        }
        return sawAlnum && runLength == 0
    }
}

/// A tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
public struct Tag: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let value: String

    public init(_ string: String) throws(OCIError) {
        guard Self.isValid(string) else {
            throw OCIError(.tagInvalid, "invalid tag '\(string.prefix(140))': must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
        }
        value = string
    }

    /// The tag clients assume when none is given.
    public static let latest = Tag(validated: "latest")

    private init(validated: String) { value = validated }

    public static func isValid(_ string: String) -> Bool {
        let bytes = string.utf8
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func word(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
        }
        guard word(first) else { return false }
        return bytes.dropFirst().allSatisfy { word($0) || $0 == 0x2E || $0 == 0x2D }
    }

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// What follows `/manifests/` in a registry URL: a tag or a digest.
public enum ManifestReference: Hashable, Sendable, CustomStringConvertible {
    case tag(Tag)
    case digest(Digest)

    public init(_ string: String) throws(OCIError) {
        // A byte scan: `String.contains(String)` goes through Foundation's NSString search, a
        // measurable cost when every manifest request asks.
        if string.utf8.contains(UInt8(ascii: ":")) {
            self = .digest(try Digest(string))
        } else {
            self = .tag(try Tag(string))
        }
    }

    public var description: String {
        switch self {
        case .tag(let t): t.value
        case .digest(let d): d.description
        }
    }
}
