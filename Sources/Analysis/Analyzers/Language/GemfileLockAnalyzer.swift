/// Bundler lockfiles (`Gemfile.lock`, or `gems.locked`). The gems are listed under `  specs:` in
/// the source sections `GEM` (rubygems.org or another gem server), `GIT`, `PATH` and
/// `PLUGIN SOURCE`, one per line indented exactly four spaces:
/// ```
/// GEM
///   remote: https://rubygems.org/
///   specs:
///     nokogiri (1.13.10-x86_64-linux)
///       racc (~> 1.4)
/// ```
/// Six-space lines are a gem's own requirements, not installed gems. A platform-specific gem's
/// platform follows the version after the first `-` (Bundler's own lockfile parser splits it the
/// same way, since gem versions cannot contain `-`); it goes to `properties["platform"]`.
public struct GemfileLockAnalyzer: Analyzer {
    public let name = "gemfile-lock"
    public let version = 1

    static let sourceSections: Set<String> = ["GEM", "GIT", "PATH", "PLUGIN SOURCE"]
    static let otherSections: Set<String> = ["PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"]

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        let fileName = file.fileName
        return (fileName == "Gemfile.lock" || fileName == "gems.locked") && LockfileScope.isApplicationLockfile(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let text = ManifestInput.text(try ManifestInput.bytes(file, content))
        var found = LockfilePackages(type: .gem, location: file.path)
        var inSourceSection = false
        var sawSection = false
        for line in ManifestInput.lines(text) {
            guard let first = line.first else { continue }
            if first != " " {
                let section = ManifestInput.trimmed(line)
                inSourceSection = Self.sourceSections.contains(section)
                if inSourceSection || Self.otherSections.contains(section) { sawSection = true }
                continue
            }
            guard inSourceSection, line.hasPrefix("    "), line.dropFirst(4).first != " ",
                  let spec = Self.nameAndVersion(line.dropFirst(4))
            else { continue }
            var properties: [String: String] = [:]
            if let platform = spec.platform { properties["platform"] = platform }
            found.add(name: spec.name, version: spec.version, properties: properties)
        }
        if !sawSection && !text.allSatisfy(\.isWhitespace) {
            throw AnalysisError.malformed(file.path, "no Gemfile.lock sections")
        }
        return found.findings
    }

    /// `rack (2.2.6)` → rack, 2.2.6; `nokogiri (1.13.10-x86_64-linux)` → platform x86_64-linux.
    static func nameAndVersion(_ text: Substring) -> (name: String, version: String, platform: String?)? {
        guard let open = text.firstIndex(of: " "),
              text[open...].hasPrefix(" ("), ManifestInput.trimmed(text).hasSuffix(")") else { return nil }
        let name = text[..<open]
        let inside = ManifestInput.trimmed(text[text.index(open, offsetBy: 2)...]).dropLast()
        guard !name.isEmpty, !inside.isEmpty, !inside.contains(" ") else { return nil }
        if let dash = inside.firstIndex(of: "-") {
            let version = inside[..<dash]
            let platform = inside[inside.index(after: dash)...]
            guard !version.isEmpty else { return nil }
            return (String(name), String(version), platform.isEmpty ? nil : String(platform))
        }
        return (String(name), String(inside), nil)
    }
}
