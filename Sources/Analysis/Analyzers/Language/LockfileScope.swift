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
}
