/// Rust crates locked by Cargo (`Cargo.lock`, every format version): one `[[package]]` table per
/// crate with `name`, `version` and, for crates not in the workspace, `source`
/// (`registry+https://github.com/rust-lang/crates.io-index`, `git+https://…#<commit>`), which is
/// kept in `properties["source"]`. Cargo.lock is TOML; `CargoLockTOML` reads the subset Cargo
/// writes. Workspace members (no `source`) are reported too: they are crates built into the image.
public struct CargoLockAnalyzer: Analyzer {
    public let name = "cargo-lock"
    public let version = 1

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.fileName == "Cargo.lock" && LockfileScope.isApplicationLockfile(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let text = ManifestInput.text(try ManifestInput.bytes(file, content))
        let tables = try CargoLockTOML.tables(text, path: file.path)
        var found = LockfilePackages(type: .cargo, location: file.path)
        // `[root]` is the format before Cargo 1.0's `[[package]]` for the root crate.
        for table in tables where table.header == "[[package]]" || table.header == "[root]" {
            guard let name = table.strings["name"], !name.isEmpty,
                  let version = table.strings["version"], !version.isEmpty else { continue }
            var properties: [String: String] = [:]
            if let source = table.strings["source"], !source.isEmpty { properties["source"] = source }
            found.add(name: name, version: version, properties: properties)
        }
        return found.findings
    }
}
