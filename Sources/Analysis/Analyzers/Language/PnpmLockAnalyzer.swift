import Yams

/// pnpm lockfiles (`pnpm-lock.yaml`), lockfileVersion 5.x, 6.x and 9.x
/// (https://github.com/pnpm/spec/tree/master/lockfile). Every entry of `packages` is one installed
/// release; its key is a dependency path:
/// - 5.x: `/name/1.2.3` or `/@scope/name/1.2.3`, peer suffix `_peer@1.0.0+other@2.0.0`;
/// - 6.x: `/name@1.2.3` or `/@scope/name@1.2.3`, peer suffix `(peer@1.0.0)`;
/// - 9.x: `name@1.2.3` (no leading slash); peers only appear in `snapshots` keys.
/// Entries installed from a tarball, git or a directory carry `name` and `version` fields, which
/// win over the key. Keys whose version is not a version (a URL, a path) and have no `version`
/// field are skipped, as trivy does.
/// Dev dependencies: 5.x and 6.x mark them `dev: true`. 9.x does not, so a package is flagged dev
/// when `importers` reaches it only through `devDependencies` (following `snapshots`).
public struct PnpmLockAnalyzer: Analyzer {
    public let name = "pnpm-lock"
    public let version = 1

    /// Bound on the dependency-graph walk (edges visited) for 9.x dev flags.
    static let maxGraphSteps = 4_000_000

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.fileName == "pnpm-lock.yaml" && LockfileScope.isApplicationLockfile(file.path)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let text = ManifestInput.text(try ManifestInput.bytes(file, content))
        var found = LockfilePackages(type: .npm, location: file.path)
        var sawLockfile = false
        // pnpm 9+ may put an environment lockfile document before the main one.
        for document in try ManifestYAML.documents(text, path: file.path) {
            let root = document.scalarKeyedMapping
            guard let versionText = root["lockfileVersion"]?.scalar?.string,
                  let major = Int(versionText.prefix { $0.isNumber }) else { continue }
            sawLockfile = true
            let devOnly = major >= 9 ? Self.devOnlyPackages(root) : nil
            for (key, value) in root["packages"]?.scalarKeyedMapping ?? [:] {
                let info = value.scalarKeyedMapping
                let parsed = Self.parseDependencyPath(key, major: major)
                guard let name = info["name"]?.scalar?.string ?? parsed?.name,
                      let version = info["version"]?.scalar?.string ?? parsed?.version,
                      !name.isEmpty, !version.isEmpty
                else { continue }
                let dev: Bool
                if let devOnly {
                    dev = devOnly.contains(Self.stripPeers(key))
                } else {
                    dev = info["dev"]?.scalar?.string == "true"
                }
                found.add(name: name, version: version, dev: dev)
            }
        }
        if !sawLockfile {
            throw AnalysisError.malformed(file.path, "no lockfileVersion")
        }
        return found.findings
    }

    /// Name and version from a dependency path, or nil when the version part is not a version.
    static func parseDependencyPath(_ key: String, major: Int) -> (name: String, version: String)? {
        var path = Substring(key)
        if path.hasPrefix("/") {
            path = path.dropFirst()
        } else if major < 9, let slash = path.firstIndex(of: "/"), path[..<slash].contains(".") {
            // 5.x/6.x keys of other registries start with the registry host.
            path = path[path.index(after: slash)...]
        }
        let separator: Character = major < 6 ? "/" : "@"
        var scope: Substring = ""
        if path.hasPrefix("@") {
            guard let slash = path.firstIndex(of: "/") else { return nil }
            scope = path[...slash]
            path = path[path.index(after: slash)...]
        }
        guard let split = path.firstIndex(of: separator) else { return nil }
        let name = scope + path[..<split]
        var version = path[path.index(after: split)...]
        if let peers = version.firstIndex(where: { $0 == "(" || $0 == "_" }) {
            version = version[..<peers]
        }
        guard !name.isEmpty, let first = version.first, first.isNumber,
              !version.contains("/"), !version.contains(":") else { return nil }
        return (String(name), String(version))
    }

    /// `name@1.0.0(peer@2.0.0)` → `name@1.0.0`.
    static func stripPeers(_ key: String) -> String {
        key.firstIndex(of: "(").map { String(key[..<$0]) } ?? key
    }

    /// 9.x: the `packages` keys reachable from some importer's `devDependencies` but from none of
    /// its `dependencies` or `optionalDependencies`. Nil when the file has no importers.
    static func devOnlyPackages(_ root: [String: Node]) -> Set<String>? {
        let importers = root["importers"]?.scalarKeyedMapping ?? [:]
        guard !importers.isEmpty else { return nil }
        let snapshots = root["snapshots"]?.scalarKeyedMapping ?? [:]
        var prodRoots: [String] = []
        var devRoots: [String] = []
        for importer in importers.values {
            let sections = importer.scalarKeyedMapping
            for (section, isDev) in [("dependencies", false), ("optionalDependencies", false), ("devDependencies", true)] {
                for (name, spec) in sections[section]?.scalarKeyedMapping ?? [:] {
                    let version = spec.scalar?.string ?? spec["version"]?.scalar?.string
                    guard let version, let key = snapshotKey(name: name, version: version) else { continue }
                    if isDev { devRoots.append(key) } else { prodRoots.append(key) }
                }
            }
        }
        var budget = maxGraphSteps
        let prod = reachable(from: prodRoots, snapshots: snapshots, budget: &budget)
        let dev = reachable(from: devRoots, snapshots: snapshots, budget: &budget)
        return dev.subtracting(prod)
    }

    /// Package keys (peers stripped) reachable from `roots` through snapshot dependencies.
    private static func reachable(from roots: [String], snapshots: [String: Node], budget: inout Int) -> Set<String> {
        var seen = Set<String>()
        var queue = roots
        var packages = Set<String>()
        while let key = queue.popLast(), budget > 0 {
            budget -= 1
            guard seen.insert(key).inserted else { continue }
            packages.insert(stripPeers(key))
            guard let snapshot = snapshots[key] else { continue }
            let fields = snapshot.scalarKeyedMapping
            for section in ["dependencies", "optionalDependencies"] {
                for (name, version) in fields[section]?.scalarKeyedMapping ?? [:] {
                    if let version = version.scalar?.string, let next = snapshotKey(name: name, version: version) {
                        queue.append(next)
                    }
                }
            }
        }
        return packages
    }

    /// The snapshot key a dependency resolves to: `name@version`, or the version itself when it is
    /// an alias to another package (`bar@1.0.0`); nil for `link:` dependencies (workspace folders).
    private static func snapshotKey(name: String, version: String) -> String? {
        if version.hasPrefix("link:") { return nil }
        let beforePeers = version.prefix { $0 != "(" }
        if beforePeers.hasPrefix("@") || beforePeers.contains("@") { return version }
        return name + "@" + version
    }
}
