import Foundation

/// Name and version guessed from a Java archive's file name, the way syft's java cataloger does
/// (archive_filename.go), so that archives without Maven metadata get the names scanners agree on.
///
/// syft matches the name without its extension against
/// `(?Ui)^(?P<name>(?:[[:alpha:]][[:word:].]*(?:\.[[:alpha:]][[:word:].]*)*-?)+)(?:-(?P<version>(\d.*|(build\d+.*)|(rc?\d+(?:^[[:alpha:]].*)?))))?$`
/// — a name of dash-separated words that each start with a letter, then optionally "-" and a
/// version that starts with a digit, with "build" and a digit, or is "r"/"rc" and digits — taking
/// the shortest such name (the pattern is ungreedy). It is evaluated here by hand rather than with
/// a backtracking regex engine, where the nested quantifiers could take exponential time on a
/// hostile name. When that finds no version, syft looks for one after the first `.`, `_` or `-`
/// of the name that is followed by a version (`foo_1.2` → `foo`, `1.2`; case-sensitive there).
struct JavaArchiveFilename: Equatable {
    var name: String
    var version: String

    init(_ fileName: String) {
        let base = Self.dropExtension(fileName)
        let bytes = Array(base.utf8)
        var name = ""
        var version = ""
        if let split = Self.primarySplit(bytes) {
            name = String(decoding: bytes[..<split.nameEnd], as: UTF8.self)
            version = split.versionStart.map { String(decoding: bytes[$0...], as: UTF8.self) } ?? ""
        }
        if version.isEmpty {
            let nameBytes = Array(name.utf8)
            for index in nameBytes.indices where [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(nameBytes[index]) {
                let rest = nameBytes[(index + 1)...]
                if Self.isVersion(rest, caseInsensitive: false) {
                    version = String(decoding: rest, as: UTF8.self)
                    name = String(decoding: nameBytes[..<index], as: UTF8.self)
                    break
                }
            }
        }
        self.name = name
        self.version = version
    }

    /// Go's filepath.Ext: from the last dot of the last path component.
    static func dropExtension(_ fileName: String) -> String {
        let base = fileName.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? fileName
        guard let dot = base.lastIndex(of: ".") else { return base }
        return String(base[..<dot])
    }

    /// The shortest valid name, and where the version starts when one follows.
    private static func primarySplit(_ s: [UInt8]) -> (nameEnd: Int, versionStart: Int?)? {
        guard let first = s.first, isLetter(first), !s.contains(UInt8(ascii: "\n")) else { return nil }
        for end in 1 ... s.count {
            // s[0..<end] must be: a letter, then word characters, dots and dashes, where a dash is
            // followed by a letter unless it is the name's last character.
            let last = s[end - 1]
            guard isWord(last) || last == UInt8(ascii: ".") || last == UInt8(ascii: "-") else { return nil }
            if end >= 2, s[end - 2] == UInt8(ascii: "-"), !isLetter(last) {
                // A dash inside the name must start a word; this prefix and all longer ones fail.
                return nil
            }
            if end == s.count { return (end, nil) }
            if s[end] == UInt8(ascii: "-"), isVersion(s[(end + 1)...], caseInsensitive: true) { return (end, end + 1) }
        }
        return nil
    }

    /// `\d.*`, `build\d+.*` or `rc?\d+` (the whole rest).
    static func isVersion(_ rest: ArraySlice<UInt8>, caseInsensitive: Bool) -> Bool {
        guard let first = rest.first else { return false }
        if isDigit(first) { return true }
        let lowered = rest.map { caseInsensitive && $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if lowered.starts(with: Array("build".utf8)), lowered.count > 5, isDigit(lowered[5]) { return true }
        guard lowered.first == UInt8(ascii: "r") else { return false }
        var digits = lowered.dropFirst()
        if digits.first == UInt8(ascii: "c") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isWord(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == UInt8(ascii: "_") }
}
