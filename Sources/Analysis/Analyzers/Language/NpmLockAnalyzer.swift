/// npm lockfiles: `package-lock.json` and `npm-shrinkwrap.json` (same format), as documented at
/// https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json.
/// - lockfileVersion 2 and 3: the `packages` map, keyed by install path. The name is the part
///   after the last `node_modules/` unless the entry has its own `name` (aliases). The root
///   project (`""`) and `link: true` entries are skipped: a link is a symlink to a workspace
///   folder, which is listed again under its own path (`packages/lib`) and reported there, named
///   after the link (as trivy does) unless it has a `name`.
/// - lockfileVersion 1: the nested `dependencies` tree, walked recursively. An alias version
///   (`npm:real-name@1.2.3`) reports the real package; `file:` and `link:` versions (local
///   folders, which v1 records without their version) are skipped.
/// `dev: true` entries get `properties["dev"] = "true"`. The hidden `node_modules/.package-lock.json`
/// is not read: the packages it lists are reported from their own package.json.
public struct NpmLockAnalyzer: Analyzer {
    public let name = "npm-lock"
    public let version = 1

    /// Deeper v1 trees than this are not produced by npm (each level is one nested node_modules).
    static let maxDepth = 128

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        let fileName = file.fileName
        return (fileName == "package-lock.json" || fileName == "npm-shrinkwrap.json")
            && LockfileScope.isApplicationLockfile(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let lockfile = try ManifestJSON.parseObject(ManifestInput.bytes(file, content), path: file.path)
        var found = LockfilePackages(type: .npm, location: file.path)
        if let packages = lockfile["packages"]?.object {
            readPackagesMap(packages, into: &found)
        } else if let dependencies = lockfile["dependencies"]?.object {
            readDependencyTree(dependencies, depth: 0, into: &found)
        } else if lockfile["lockfileVersion"] == nil {
            throw AnalysisError.malformed(file.path, "neither lockfileVersion, packages nor dependencies")
        }
        return found.findings
    }

    private func readPackagesMap(_ packages: [String: JSONValue], into found: inout LockfilePackages) {
        // Workspace folders are named by the node_modules link that points at them.
        var linkNames: [String: String] = [:]
        for (path, value) in packages where value["link"]?.isTrue == true {
            if let target = value["resolved"]?.nonEmptyString, let name = NpmName.fromNodeModulesPath(path) {
                linkNames[target] = name
            }
        }
        for (path, value) in packages where !path.isEmpty {
            guard let entry = value.object, entry["link"]?.isTrue != true,
                  let version = entry["version"]?.nonEmptyString,
                  let name = entry["name"]?.nonEmptyString ?? NpmName.fromNodeModulesPath(path) ?? linkNames[path]
            else { continue }
            found.add(name: name, version: version, dev: entry["dev"]?.isTrue == true,
                      licenses: NpmManifestFields.licenses(entry))
        }
    }

    private func readDependencyTree(_ dependencies: [String: JSONValue], depth: Int,
                                    into found: inout LockfilePackages) {
        guard depth < Self.maxDepth else { return }
        for (key, value) in dependencies {
            guard let entry = value.object else { continue }
            if let version = entry["version"]?.nonEmptyString,
               !version.hasPrefix("file:"), !version.hasPrefix("link:") {
                var name = key
                var resolvedVersion = version
                if version.hasPrefix("npm:"), let alias = NpmName.splitSpecifier(version.dropFirst(4)),
                   !alias.rest.isEmpty {
                    name = alias.name
                    resolvedVersion = alias.rest
                }
                found.add(name: name, version: resolvedVersion, dev: entry["dev"]?.isTrue == true)
            }
            if let nested = entry["dependencies"]?.object {
                readDependencyTree(nested, depth: depth + 1, into: &found)
            }
        }
    }
}
