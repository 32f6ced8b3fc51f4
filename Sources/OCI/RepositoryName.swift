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
        for component in string.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidComponent(component.utf8) else {
                throw OCIError(.nameInvalid, "invalid repository name '\(string.prefix(100))': component '\(component.prefix(60))' must match [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*")
            }
        }
        value = string
    }

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    static func isValidComponent(_ bytes: Substring.UTF8View) -> Bool {
        guard !bytes.isEmpty else { return false }
        // States: after alphanumeric, or inside a separator run (with its kind).
        var separator: [UInt8] = []
        var sawAlnum = false
        for c in bytes {
            let alnum = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            if alnum {
                if !separator.isEmpty {
                    guard isValidSeparator(separator) else { return false }
                    separator.removeAll(keepingCapacity: true)
                }
                sawAlnum = true
            } else if c == 0x2E || c == 0x5F || c == 0x2D {
                guard sawAlnum else { return false }
                separator.append(c)
            } else {
                return false
            }
        }
        return sawAlnum && separator.isEmpty
    }

    private static func isValidSeparator(_ s: [UInt8]) -> Bool {
        if s == [0x2E] || s == [0x5F] || s == [0x5F, 0x5F] { return true }
        return s.allSatisfy { $0 == 0x2D }
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
        if string.contains(":") {
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
