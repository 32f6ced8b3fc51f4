import Foundation
import Versioning

enum Identifiers {
    /// `cve-2020-1234` -> `CVE-2020-1234`, `ghsa-ABCD-…` -> `GHSA-abcd-…`; other ids trimmed only.
    static func normalizeAlias(_ raw: String) -> String {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let upper = s.uppercased()
        if upper.hasPrefix("CVE-") { return upper }
        if upper.hasPrefix("GHSA-") { return "GHSA-" + s.dropFirst(5).lowercased() }
        return s
    }

    /// Strict CVE id check: CVE-YYYY-NNNN(N…).
    static func isCVE(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "CVE" && parts[1].count == 4 && parts[1].allSatisfy(\.isASCIIDigit)
            && parts[2].count >= 4 && parts[2].allSatisfy(\.isASCIIDigit)
    }

    /// Adds a prefix to ids some formats write without it: rubysec/victims `cve: 2008-7248`.
    static func prefixed(_ raw: String, _ prefix: String) -> String {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.uppercased().hasPrefix(prefix.uppercased()) { return normalizeAlias(s) }
        return normalizeAlias(prefix + s)
    }

    /// PEP 503: lowercase, runs of `-`, `_`, `.` become a single `-`.
    static func pep503(_ name: String) -> String {
        var out = ""
        var lastWasSep = false
        for ch in name.lowercased() {
            if ch == "-" || ch == "_" || ch == "." {
                if !lastWasSep { out.append("-") }
                lastWasSep = true
            } else {
                out.append(ch)
                lastWasSep = false
            }
        }
        return out
    }

    static func dedup(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// OSV ecosystem name -> (namespace, comparison scheme). Nil for ecosystems we cannot compare.
    static func namespace(forOSVEcosystem raw: String) -> (namespace: String, ecosystem: Ecosystem)? {
        let parts = raw.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let base = parts.first else { return nil }
        let suffix = parts.count > 1 ? parts[1] : nil
        func release(_ s: String?) -> String? {
            guard var s, !s.isEmpty else { return nil }
            if s.hasPrefix("v") || s.hasPrefix("V") { s.removeFirst() }
            // "Ubuntu:Pro:22.04:LTS" style suffixes: keep the numeric release token.
            let tokens = s.split(separator: ":").map(String.init)
            return tokens.first { $0.first?.isNumber == true } ?? tokens.first
        }
        switch base.lowercased() {
        case "pypi": return ("pypi", .pep440)
        case "go": return ("go", .go)
        case "crates.io": return ("crates.io", .cargo)
        case "npm": return ("npm", .npm)
        case "maven": return ("maven", .maven)
        case "rubygems": return ("rubygems", .rubygems)
        case "packagist": return ("packagist", .composer)
        case "nuget": return ("nuget", .nuget)
        case "debian": return ("debian:" + (release(suffix) ?? "unstable"), .dpkg)
        case "ubuntu": return ("ubuntu:" + (release(suffix) ?? "unknown"), .dpkg)
        case "alpine": return ("alpine:" + (release(suffix) ?? "edge"), .apk)
        case "rocky linux": return ("rocky:" + (release(suffix) ?? "unknown"), .rpm)
        case "almalinux": return ("alma:" + (release(suffix) ?? "unknown"), .rpm)
        case "red hat": return ("rhel:" + (release(suffix) ?? "unknown"), .rpm)
        case "opensuse", "suse": return (base.lowercased() + ":" + (release(suffix) ?? "unknown"), .rpm)
        default: return nil
        }
    }

    /// Normalises a package name for the namespace's key rules.
    static func packageKey(_ name: String, namespace: String) -> String {
        let n = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if namespace == "pypi" { return pep503(n) }
        return n
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
