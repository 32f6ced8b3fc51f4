/// An Alpine package version (`1.2.3b_rc1_p2-r4`), ordered like apk-tools' version.c: a
/// tokenizer over digits, one letter, `_suffix[N]` (alpha beta pre rc < none < cvs svn git hg p)
/// and `-rN`. Strings apk would call invalid still compare the way apk compares them
/// (it stops at the first bad token); `isValid` reports apk's own validity check.
public struct ApkVersion: EcosystemVersion {
    private let bytes: [UInt8]
    public let description: String

    public init(_ string: String) throws(VersionParseError) {
        let s = ASCII.trimmed(string)
        if s.isEmpty { throw VersionParseError(string, "version string is empty") }
        if s.contains(where: { $0.isASCIIWhitespaceLike }) { throw VersionParseError(string, "version string has embedded spaces") }
        description = String(s)
        bytes = Array(s.utf8)
    }

    /// apk's apk_version_validate.
    public var isValid: Bool {
        var t = Tokenizer(bytes)
        while t.type != .end && t.type != .invalid { _ = t.next() }
        return t.type == .end
    }

    public func compare(to other: ApkVersion) -> Ordering {
        var a = Tokenizer(bytes), b = Tokenizer(other.bytes)
        var av = Value.int(0), bv = Value.int(0)
        while a.type == b.type && a.type != .end && a.type != .invalid && av == bv {
            av = a.next()
            bv = b.next()
        }
        let r = av.compare(bv)
        if r != .equal { return r }
        if a.type == b.type { return .equal }
        // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
        if a.type == .suffix, case .int(let v) = a.peekSuffix(), v < 0 { return .less }
        if b.type == .suffix, case .int(let v) = b.peekSuffix(), v < 0 { return .greater }
        if a.type.rawValue > b.type.rawValue { return .less }
        if b.type.rawValue > a.type.rawValue { return .greater }
        return .equal
    }

    public static func < (l: Self, r: Self) -> Bool { l.compare(to: r) == .less }
    public static func == (l: Self, r: Self) -> Bool { l.compare(to: r) == .equal }

    enum TokenType: Int {
        case invalid = -1, digitOrZero, digit, letter, suffix, suffixNo, revisionNo, end
    }

    /// A token's value: apk uses C ints; digit runs are kept as strings so they cannot overflow.
    enum Value: Equatable {
        case int(Int)
        case digits(ArraySlice<UInt8>)

        func compare(_ o: Value) -> Ordering {
            switch (self, o) {
            case let (.int(x), .int(y)): return Ordering(x, y)
            case let (.digits(x), .digits(y)): return ASCII.compareDigits(x, y)
            case let (.int(x), .digits(y)): return x < 0 ? .less : ASCII.compareDigits(Array(String(x).utf8), y)
            case let (.digits(x), .int(y)): return y < 0 ? .greater : ASCII.compareDigits(x, Array(String(y).utf8))
            }
        }

        static func == (l: Value, r: Value) -> Bool { l.compare(r) == .equal }
    }

    struct Tokenizer {
        let s: [UInt8]
        var pos = 0
        var type = TokenType.digit
        static let pre: [[UInt8]] = ["alpha", "beta", "pre", "rc"].map { Array($0.utf8) }
        static let post: [[UInt8]] = ["cvs", "svn", "git", "hg", "p"].map { Array($0.utf8) }

        init(_ s: [UInt8]) { self.s = s }

        var remaining: Int { s.count - pos }

        func hasPrefix(_ p: [UInt8]) -> Bool {
            p.count <= remaining && s[pos..<(pos + p.count)].elementsEqual(p)
        }

        /// apk's get_token: returns the value of the current token and advances `type`.
        mutating func next() -> Value {
            if remaining <= 0 { type = .end; return .int(0) }
            var len = 0
            var value = Value.int(0)
            var nextType: TokenType? = nil
            switch type {
            case .digitOrZero where s[pos] == 0x30:
                while len < remaining, s[pos + len] == 0x30 { len += 1 }
                nextType = .digit
                value = .int(-len)
            case .digitOrZero, .digit, .suffixNo, .revisionNo:
                while len < remaining, ASCII.isDigit(s[pos + len]) { len += 1 }
                value = .digits(s[pos..<(pos + len)])
            case .letter:
                value = .int(Int(s[pos]))
                len = 1
            case .suffix:
                if let k = Self.pre.firstIndex(where: hasPrefix) {
                    value = .int(k - Self.pre.count)
                    len = Self.pre[k].count
                } else if let k = Self.post.firstIndex(where: hasPrefix) {
                    value = .int(k)
                    len = Self.post[k].count
                } else {
                    type = .invalid
                    return .int(-1)
                }
            default:
                type = .invalid
                return .int(-1)
            }
            pos += len
            if remaining == 0 {
                type = .end
            } else if let nextType {
                type = nextType
            } else {
                advanceType()
            }
            return value
        }

        /// The value the pending suffix token would have, without consuming it.
        func peekSuffix() -> Value {
            var copy = self
            return copy.next()
        }

        /// apk's next_token: decides what kind of token starts at `pos`.
        private mutating func advanceType() {
            var n = TokenType.invalid
            let c = s[pos]
            if c == 0 {
                n = .end
            } else if (type == .digit || type == .digitOrZero) && ASCII.isLower(c) {
                n = .letter
            } else if type == .letter && ASCII.isDigit(c) {
                n = .digit
            } else if type == .suffix && ASCII.isDigit(c) {
                n = .suffixNo
            } else {
                switch c {
                case UInt8(ascii: "."): n = .digitOrZero
                case UInt8(ascii: "_"): n = .suffix
                case UInt8(ascii: "-"):
                    if remaining > 1 && s[pos + 1] == UInt8(ascii: "r") {
                        n = .revisionNo
                        pos += 1
                    } else {
                        n = .invalid
                    }
                default: break
                }
                pos += 1
            }
            if n.rawValue < type.rawValue {
                if !((n == .digitOrZero && type == .digit) || (n == .suffix && type == .suffixNo) || (n == .digit && type == .letter)) {
                    n = .invalid
                }
            }
            type = n
        }
    }
}
