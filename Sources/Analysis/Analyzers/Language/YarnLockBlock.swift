/// One entry of a yarn.lock, classic or berry.
struct YarnLockBlock {
    let header: String
    var version: String?
    var resolution: String?

    init(header: String) {
        self.header = header
    }

    /// Reads `version "1.2.3"` (classic) or `version: 1.2.3` / `resolution: "…"` (berry).
    mutating func readField(_ line: Substring) {
        var key = line.prefix { $0 != " " && $0 != ":" }
        var rest = line.dropFirst(key.count)
        if rest.hasPrefix(":") { rest = rest.dropFirst() }
        if key.hasPrefix("\"") && key.hasSuffix("\"") && key.count >= 2 { key = key.dropFirst().dropLast() }
        let value = Self.unquote(ManifestInput.trimmed(rest))
        guard !value.isEmpty else { return }
        switch key {
        case "version": version = value
        case "resolution": resolution = value
        default: break
        }
    }

    /// The first requested range in the header decides the package and its protocol.
    func classicPackage() -> (name: String, version: String)? {
        guard let version, let first = patterns.first,
              let spec = NpmName.splitSpecifier(first) else { return nil }
        return Self.registryName(spec.name, range: spec.rest).map { ($0, version) }
    }

    /// Berry names the package it resolved to in `resolution`; the header is a fallback.
    func berryPackage() -> (name: String, version: String)? {
        guard let version else { return nil }
        if let resolution, let spec = NpmName.splitSpecifier(resolution) {
            guard spec.rest.hasPrefix("npm:") else { return nil }
            return (spec.name, version)
        }
        guard let first = patterns.first, let spec = NpmName.splitSpecifier(first) else { return nil }
        return Self.registryName(spec.name, range: spec.rest).map { ($0, version) }
    }

    /// The header's ranges. Classic quotes each one (`"a@^1", "a@^1.2"`), berry the whole list
    /// (`"a@npm:^1, a@npm:^1.2"`), so quotes are stripped from each end of each item.
    private var patterns: [String] {
        header.split(separator: ",").map { item in
            var text = ManifestInput.trimmed(item)[...]
            while text.first == "\"" { text = text.dropFirst() }
            while text.last == "\"" { text = text.dropLast() }
            return String(text)
        }.filter { !$0.isEmpty }
    }

    /// The registry package a requested range stands for, or nil when it is not from the registry.
    /// `npm:` ranges may alias another package (`npm:string-width@^4.2.0`).
    static func registryName(_ name: String, range: String) -> String? {
        if range.hasPrefix("npm:") {
            let target = range.dropFirst(4)
            return NpmName.splitSpecifier(target)?.name ?? name
        }
        return hasProtocol(range) ? nil : name
    }

    /// A range such as `file:../x`, `workspace:.`, `git+https://…`, `https://…/x.tgz` or
    /// `github:user/repo`. Semver ranges never contain a colon.
    static func hasProtocol(_ range: String) -> Bool {
        guard let colon = range.firstIndex(of: ":") else { return false }
        let scheme = range[..<colon]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }

    static func unquote<S: StringProtocol>(_ text: S) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return String(text)
    }
}
