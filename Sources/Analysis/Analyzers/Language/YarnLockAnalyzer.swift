/// Yarn lockfiles, both generations:
/// - classic (yarn 1, `# yarn lockfile v1`): a block per resolution whose unindented header lists
///   the requested ranges (`"@babel/core@^7.0.0", "@babel/core@^7.1.0":`) and whose indented
///   fields include `version "7.1.2"`;
/// - berry (yarn 2+, recognised by its `__metadata:` block): YAML, a block per resolution with
///   `version: 7.1.2` and `resolution: "@babel/core@npm:7.1.2"`.
/// The format is read line by line (classic is not YAML). Only packages from the npm registry are
/// reported, as trivy does: workspace, `link:`, `portal:`, `file:`, `patch:`, `exec:` and git
/// resolutions are the project's own code or a patched duplicate of a registry entry. Aliases
/// (`string-width-cjs@npm:string-width@^4.2.0`) report the real package name. yarn.lock does not
/// record which packages are dev dependencies.
public struct YarnLockAnalyzer: Analyzer {
    public let name = "yarn-lock"
    public let version = 1

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.fileName == "yarn.lock" && LockfileScope.isApplicationLockfile(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let text = ManifestInput.text(try ManifestInput.bytes(file, content))
        let lines = ManifestInput.lines(text)
        let isBerry = lines.contains { $0.hasPrefix("__metadata:") }
        var found = LockfilePackages(type: .npm, location: file.path)
        var block: YarnLockBlock?
        var sawContent = false
        var sawBlock = false

        func finish() {
            guard let current = block else { return }
            block = nil
            if let resolved = isBerry ? current.berryPackage() : current.classicPackage() {
                found.add(name: resolved.name, version: resolved.version)
            }
        }

        for line in lines {
            if line.isEmpty || line.hasPrefix("#") { continue }
            sawContent = true
            guard let first = line.first else { continue }
            if first != " " && first != "\t" {
                finish()
                guard line.hasSuffix(":") else { continue }
                sawBlock = true
                block = YarnLockBlock(header: String(line.dropLast()))
                continue
            }
            // Fields of the current block are indented two spaces; deeper lines belong to nested
            // maps (dependencies, dependenciesMeta) and are not needed.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), block != nil else { continue }
            block?.readField(line.dropFirst(2))
        }
        finish()
        if sawContent && !sawBlock {
            throw AnalysisError.malformed(file.path, "no yarn.lock entries")
        }
        return found.findings
    }
}
