/// Which lockfiles describe an image's own application.
///
/// A lockfile says what an application would install; inside an image most lockfiles are
/// leftovers of some installed package's source tree (a gem's test fixtures, Debian's
/// `npm-shrinkwrap.json` for a package whose bundled dependencies it removed), and listing their
/// entries reports hundreds of packages that are not there. Syft and Trivy skip lockfiles in
/// images altogether; Drydock reads the ones at an application's root and skips those below
/// directories that hold installed packages.
enum LockfileScope {
    static let installedPackageDirectories = [
        "/node_modules/", "/usr/share/nodejs/", "/usr/lib/nodejs/", "/usr/lib/node_modules/",
        "/gems/", "/site-packages/", "/dist-packages/", "/vendor/", "/.cargo/registry/", "/usr/share/doc/",
    ]
    static let lockfileNames: Set<Substring> = [
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
        "Gemfile.lock", "gems.locked", "composer.lock", "Cargo.lock",
    ]

    static func isApplicationLockfile(_ path: String) -> Bool {
        !installedPackageDirectories.contains { path.contains($0) }
    }

    static func isLockfile(_ path: String) -> Bool {
        lockfileNames.contains(ImagePath.lastComponent(path))
    }

    /// The application whose installed set this package belongs to, when that set is known:
    /// Composer's `vendor/composer/installed.json` lists everything `composer install` put in
    /// `vendor/`, and an application's `node_modules/` holds what npm, yarn or pnpm installed.
    /// `root(type:directory:)` of the application directory, or nil.
    static func installedRoot(of package: Package) -> String? {
        let location = package.location
        switch package.type {
        case .composer:
            let suffix = "/vendor/composer/installed.json"
            guard location.hasSuffix(suffix) else { return nil }
            return root(type: .composer, directory: String(location.dropLast(suffix.count)))
        case .npm:
            guard !isLockfile(location), let range = location.range(of: "/node_modules/") else { return nil }
            return root(type: .npm, directory: String(location[..<range.lowerBound]))
        default:
            return nil
        }
    }

    static func root(type: PackageType, directory: String) -> String {
        "\(type.rawValue)|\(directory.isEmpty ? "/" : directory)"
    }
}
