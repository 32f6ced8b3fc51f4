/// .NET applications' dependency manifests, `<app>.deps.json`, written by the .NET SDK next to
/// the published assemblies (format:
/// https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md).
/// Each `libraries` entry is keyed `Name/Version`; entries of type `package` are NuGet packages.
/// Also reported, as trivy does: `runtimepack` entries (the runtime bundled into a self-contained
/// app, `runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/6.0.5`, reported without the
/// `runtimepack.` prefix). Skipped, as trivy does: packages that the runtime target lists without
/// any `runtime`, `runtimeTargets` or `native` assets (compile-time only: analyzers, reference
/// assemblies), and `project` entries (the application's own projects).
public struct DotnetDepsAnalyzer: Analyzer {
    public let name = "dotnet-deps"
    public let version = 1

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        file.path.hasSuffix(".deps.json")
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let deps = try ManifestJSON.parseObject(ManifestInput.bytes(file, content), path: file.path)
        var found = LockfilePackages(type: .nuget, location: file.path)
        let targetName = deps["runtimeTarget"]?["name"]?.string
        let targetLibraries = targetName.flatMap { deps["targets"]?[$0]?.object }
        for (key, library) in deps["libraries"]?.object ?? [:] {
            guard let type = library["type"]?.string?.lowercased(), type == "package" || type == "runtimepack",
                  let slash = key.firstIndex(of: "/") else { continue }
            var name = String(key[..<slash])
            let version = String(key[key.index(after: slash)...])
            guard !name.isEmpty, !version.isEmpty else { continue }
            if let targetLibraries, let target = targetLibraries[key], !Self.hasRuntimeAssets(target) { continue }
            if type == "runtimepack", name.hasPrefix("runtimepack.") { name.removeFirst("runtimepack.".count) }
            found.add(name: name, version: version)
        }
        return found.findings
    }

    static func hasRuntimeAssets(_ target: JSONValue) -> Bool {
        ["runtime", "runtimeTargets", "native"].contains { section in
            switch target[section] {
            case .object(let members)?: return !members.isEmpty
            case .array(let items)?: return !items.isEmpty
            default: return false
            }
        }
    }
}
