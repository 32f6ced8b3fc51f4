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
        case .pypi: return "pip install '\(name)>=\(target)'"
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
}
