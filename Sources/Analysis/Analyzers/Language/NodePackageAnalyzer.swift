/// Installed npm packages: every `package.json` that names a package and a version, wherever it
/// is: `node_modules` trees, Debian's `/usr/share/nodejs`, an application's root. Files without
/// both fields (build-tool stubs such as `{"type": "module"}` in `dist/esm/`) are not packages and
/// yield nothing. Neither syft nor trivy skips test-fixture directories, and neither does this
/// analyzer: a `package.json` that npm installed is reported wherever it sits.
public struct NodePackageAnalyzer: Analyzer {
    public let name = "node-package"
    public let version = 1

    /// package.json files are small; a large one is not a manifest.
    static let sizeLimit = 8 << 20

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.fileName == "package.json"
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let manifest = try ManifestJSON.parseObject(
            ManifestInput.bytes(file, content, limit: Self.sizeLimit), path: file.path)
        guard let name = manifest["name"]?.nonEmptyString,
              let version = manifest["version"]?.nonEmptyString
        else { return .none }
        let package = Package(type: .npm, name: name, version: version,
                              licenses: NpmManifestFields.licenses(manifest), location: file.path)
        return FileFindings(packages: [package])
    }
}
