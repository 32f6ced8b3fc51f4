/// Installed Python distributions: the core-metadata file that pip, setuptools and distutils
/// leave next to the installed code, wherever it is (site-packages, Debian's dist-packages,
/// virtual environments, `.egg` directories):
/// - `NAME-VER.dist-info/METADATA` (wheels, pip),
/// - `NAME-VER.egg-info/PKG-INFO` (setuptools, most Debian python3-* packages),
/// - `NAME-VER.egg-info` as a file (old distutils installs, Python's own `wsgiref.egg-info`),
/// - `NAME.egg/EGG-INFO/PKG-INFO` (easy_install eggs).
/// Name and version are taken as declared in the headers; the directory name is not used, as it
/// is normalised differently by each installer.
public struct PythonPackageAnalyzer: Analyzer {
    public let name = "python"
    public let version = 1

    /// The header block sits at the top; a long description may follow it.
    static let headerReadLimit = 4 << 20

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        let path = file.path
        return path.hasSuffix(".dist-info/METADATA")
            || path.hasSuffix(".egg-info/PKG-INFO")
            || path.hasSuffix(".egg-info")
            || path.hasSuffix(".egg/EGG-INFO/PKG-INFO")
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        let data = try ManifestInput.prefix(file, content, maxBytes: Self.headerReadLimit)
        let metadata = PythonMetadata(text: ManifestInput.text(data))
        guard let name = metadata.first("Name"), !name.isEmpty,
              let version = metadata.first("Version"), !version.isEmpty
        else {
            throw AnalysisError.malformed(file.path, "no Name and Version headers")
        }
        // Python 2's interpreter describes itself in lib-dynload/Python-2.7.x.egg-info: that is
        // the runtime, not a distribution installed from PyPI (syft skips it the same way).
        if name == "Python" { return .none }
        let package = Package(type: .pypi, name: name, version: version, licenses: metadata.licenses,
                              location: file.path)
        return FileFindings(packages: [package])
    }
}
