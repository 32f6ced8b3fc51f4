import Foundation

/// Go executables: the modules compiled into them, from the build information the Go linker embeds
/// (see `GoBuildInfoReader` for where it lives, `GoModuleInfo` for its text), reported as
/// `go version -m` shows them: the main module (version as recorded, often "(devel)"), every
/// dependency, and the toolchain as the package "stdlib".
///
/// A dependency replaced by another module version is reported under the replacement's path and
/// version, which is the code actually compiled in; the original stays in `originalPath` /
/// `originalVersion`. A replacement by a local directory (`=> ../fork`) has no module path of its
/// own, so the package keeps the original module path, takes the replacement's recorded version
/// (the directory's code is what was built) and keeps the directory in `replacementDir`.
///
/// Most executables are not Go: anything that is not ELF or has no build-info blob yields nothing;
/// only a blob that is present but undecodable is an error.
public struct GoBinaryAnalyzer: Analyzer {
    public let name = "go-binary"
    public let version = 1

    /// Build settings worth keeping on the main module (`build.GOOS`…); others such as -ldflags
    /// can hold long or private values.
    static let keptSettings: Set<String> = [
        "GOOS", "GOARCH", "GOAMD64", "GOARM", "GO386", "CGO_ENABLED", "-buildmode", "-compiler", "-trimpath",
        "vcs", "vcs.revision", "vcs.time", "vcs.modified",
    ]

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        ExecutableCandidate.wants(file)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        guard let image = try ELFImage.open(file, content) else { return .none }
        let info: GoBuildInfo
        do {
            guard let found = try GoBuildInfoReader.read(from: image) else { return .none }
            info = found
        } catch {
            throw AnalysisError.malformed(file.path, "Go build info: \(error)")
        }
        return FileFindings(packages: packages(info, location: file.path))
    }

    func packages(_ info: GoBuildInfo, location: String) -> [Package] {
        let modules = GoModuleInfo(parsing: info.moduleInfo)
        let toolchain = ["goToolchain": info.goVersion]
        var result: [Package] = []

        if let main = modules.main, !main.path.isEmpty {
            var properties = toolchain.merging(moduleProperties(main)) { $1 }
            properties["mainModule"] = "true"
            if let path = modules.mainPackagePath { properties["mainPackage"] = path }
            for setting in modules.settings where Self.keptSettings.contains(setting.key) {
                properties["build." + setting.key] = setting.value
            }
            let (name, version) = identity(main)
            result.append(Package(type: .golang, name: name, version: version, location: location, properties: properties))
        }
        for dependency in modules.dependencies where !dependency.path.isEmpty {
            // Old toolchains could list the main module again as a dependency without a path.
            let (name, version) = identity(dependency)
            result.append(Package(type: .golang, name: name, version: version, location: location,
                                  properties: toolchain.merging(moduleProperties(dependency)) { $1 }))
        }
        result.append(Package(type: .golang, name: "stdlib", version: Self.stdlibVersion(info.goVersion),
                              location: location, properties: toolchain))
        return result
    }

    /// "go1.21.3" → "1.21.3"; "go1.22.1 X:boringcrypto" → "1.22.1". A development toolchain
    /// ("devel go1.23-abc… +0000") keeps its first word, "devel".
    static func stdlibVersion(_ goVersion: String) -> String {
        let first = goVersion.split(separator: " ", maxSplits: 1).first.map(String.init) ?? goVersion
        return first.hasPrefix("go") ? String(first.dropFirst(2)) : first
    }

    /// Whether a replacement path names a directory rather than a module (cmd/go's
    /// modfile.IsDirectoryPath).
    static func isDirectoryPath(_ path: String) -> Bool {
        path == "." || path == ".." || path.hasPrefix("./") || path.hasPrefix("../") || path.hasPrefix("/")
            || path.hasPrefix(".\\") || path.hasPrefix("..\\") || (path.count >= 2 && Array(path)[1] == ":")
    }

    private func identity(_ module: GoModuleInfo.Module) -> (name: String, version: String) {
        guard let replacement = module.replacement else { return (module.path, module.version) }
        if Self.isDirectoryPath(replacement.path) { return (module.path, replacement.version) }
        return (replacement.path, replacement.version)
    }

    private func moduleProperties(_ module: GoModuleInfo.Module) -> [String: String] {
        var properties: [String: String] = [:]
        let sum = module.replacement?.sum ?? module.sum
        if !sum.isEmpty { properties["sum"] = sum }
        if let replacement = module.replacement {
            if Self.isDirectoryPath(replacement.path) {
                properties["replacementDir"] = replacement.path
            } else {
                properties["originalPath"] = module.path
            }
            properties["originalVersion"] = module.version
        }
        return properties
    }
}
