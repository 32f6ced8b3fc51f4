import Foundation

/// Reads Debian control-file stanzas (deb822), the format of dpkg's `status` database and of the
/// per-package files distroless images keep in `status.d/`: "Field: value" lines, continuation
/// lines that start with a space or tab, stanzas separated by blank lines. Only the first line of
/// the fields the caller asks for is kept; continuation lines (long descriptions, conffile lists)
/// are skipped without being decoded, so they can never be mistaken for fields.
struct DebControlParser {
    /// Field names to keep, compared case-insensitively (deb822 field names are case-insensitive).
    let fields: Set<String>
    /// A status file with more stanzas than any real system is refused rather than walked.
    var maxStanzas = 500_000

    struct TooManyStanzas: Error {}

    /// Stanzas in file order, each as lower-cased field name → trimmed value. Stanzas that have
    /// none of the wanted fields are dropped.
    func stanzas(in bytes: [UInt8]) throws -> [[String: String]] {
        let wantedLengths = Set(fields.map(\.utf8.count))
        var result: [[String: String]] = []
        var current: [String: String] = [:]
        for line in PackageDatabaseLines(bytes: bytes) {
            if line.isBlankLine {
                if !current.isEmpty {
                    guard result.count < maxStanzas else { throw TooManyStanzas() }
                    result.append(current)
                    current = [:]
                }
                continue
            }
            guard let first = line.first, first != 0x20, first != 0x09, first != UInt8(ascii: "#"),
                  let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = line[line.startIndex..<colon]
            guard wantedLengths.contains(key.count) else { continue }
            let name = key.lossyUTF8.lowercased()
            guard fields.contains(name), current[name] == nil else { continue }
            current[name] = line[(colon + 1)...].trimmingSpacesAndTabs.lossyUTF8
        }
        if !current.isEmpty {
            guard result.count < maxStanzas else { throw TooManyStanzas() }
            result.append(current)
        }
        return result
    }
}
