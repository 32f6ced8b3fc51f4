import Analysis

/// The exact command (or edit) that moves one package to `target`, in its ecosystem's own tool.
enum RemediationCommand {
    static func command(for package: FindingPackage, target: String) -> String {
        let name = package.name
        switch PackageType(rawValue: package.ecosystem) {
        case .deb:
            // Advisories give the source version; binary packages built from it usually carry the
            // same version, but binNMUs and some sources version their binaries differently.
            if let sourceVersion = package.sourceVersion, sourceVersion != package.version {
                return "apt-get install --only-upgrade \(name)  # to the build of \(package.sourceName ?? name) \(target) or later"
            }
            return "apt-get install --only-upgrade \(name)=\(target)"
        case .apk: return "apk upgrade \(name)  # to \(target) or later"
        case .rpm: return "dnf update \(name)  # to \(target) or later"
        case .pypi: return "\(pipInstall(for: package.location)) '\(name)>=\(target)'"
        case .npm: return "npm install \(name)@\(target)"
        case .golang:
            if name == "stdlib" { return "rebuild with Go \(target) or later" }
            return "go get \(name)@v\(target)"
        case .maven:
            return "mvn versions:use-dep-version -Dincludes=\(name) -DdepVersion=\(target)  # or set \(name) to \(target) in the build file"
        case .gem: return "bundle update --conservative \(name)  # to \(target) or later (gem install \(name) -v '>= \(target)')"
        case .cargo: return "cargo update -p \(name) --precise \(target)"
        case .composer: return "composer require '\(name):>=\(target)'"
        case .nuget: return "dotnet add package \(name) --version \(target)"
        case nil: return "upgrade \(name) to \(target)"
        }
    }

    /// The pip command that installs into the environment a package was found in: a package in
    /// `/opt/venv/lib/python3.11/site-packages` is fixed by `/opt/venv/bin/pip`, not by whatever
    /// `pip` is first on the PATH (in an image with a virtualenv, often another environment's).
    static func pipInstall(for location: String) -> String {
        guard let lib = location.range(of: "/lib/python"),
              location[lib.upperBound...].contains("/site-packages/") || location[lib.upperBound...].contains("/dist-packages/") else {
            return "pip install"
        }
        let prefix = String(location[..<lib.lowerBound])
        switch prefix {
        // The interpreter's own prefix: its pip is the one on the PATH.
        case "/usr/local", "": return "pip install"
        // Debian's python3: pip refuses to change it without this flag (PEP 668).
        case "/usr": return "python3 -m pip install --break-system-packages"
        default:
            if prefix.hasSuffix("/.local") { return "pip install --user" }
            // A virtualenv or conda prefix: that environment's own pip.
            return prefix + "/bin/pip install"
        }
    }
}
