/// PHP packages installed by Composer (https://getcomposer.org/doc/):
/// - `composer.lock`: `packages` and `packages-dev` (the latter flagged `properties["dev"]`);
/// - `vendor/composer/installed.json`, which Composer writes into the vendor directory: a plain
///   array in Composer 1, `{"packages": […], "dev-package-names": […]}` in Composer 2 (names
///   listed there are flagged dev).
/// Versions are reported as written (`v5.4.0` keeps its `v`), as trivy and syft do: Composer
/// writes the tag name there, and `version_normalized` is not a version anyone publishes.
public struct ComposerAnalyzer: Analyzer {
    public let name = "composer"
    public let version = 1

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        (file.fileName == "composer.lock" && LockfileScope.isApplicationLockfile(file.path))
            || file.path.hasSuffix("/composer/installed.json")
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let document = try ManifestJSON.parse(ManifestInput.bytes(file, content), path: file.path)
        var found = LockfilePackages(type: .composer, location: file.path)
        if file.fileName == "composer.lock" {
            guard let lock = document.object else {
                throw AnalysisError.malformed(file.path, "the top level is not a JSON object")
            }
            add(lock["packages"]?.array ?? [], dev: { _ in false }, into: &found)
            add(lock["packages-dev"]?.array ?? [], dev: { _ in true }, into: &found)
        } else if let entries = document.array {
            add(entries, dev: { _ in false }, into: &found)
        } else if let installed = document.object, let entries = installed["packages"]?.array {
            let devNames = Set((installed["dev-package-names"]?.array ?? []).compactMap(\.string))
            add(entries, dev: { devNames.contains($0) }, into: &found)
        } else {
            throw AnalysisError.malformed(file.path, "neither a package array nor {\"packages\": […]}")
        }
        return found.findings
    }

    private func add(_ entries: [JSONValue], dev: (String) -> Bool, into found: inout LockfilePackages) {
        for entry in entries {
            guard let name = entry["name"]?.nonEmptyString, let version = entry["version"]?.nonEmptyString else { continue }
            found.add(name: name, version: version, dev: dev(name), licenses: Self.licenses(entry["license"]))
        }
    }

    /// `license` is an array of SPDX identifiers (or, in old files, a single string).
    static func licenses(_ value: JSONValue?) -> [String] {
        if let single = value?.nonEmptyString { return [single] }
        return (value?.array ?? []).prefix(64).compactMap(\.nonEmptyString)
    }
}
