import Foundation
import Testing
@testable import Analysis

/// Lock entries against what is installed: where an application's installed set is known
/// (Composer's vendor/composer/installed.json, node_modules next to the lockfile), lock entries
/// not in it are not in the image; and development-only lock entries are left out of reports
/// unless asked for (`--include-dev-deps`).
@Suite struct InstalledSetTests {
    /// The installed.json `composer install --no-dev` writes for the fixture app: its two
    /// runtime packages, `"dev": false`, no dev package names.
    static let noDevInstalled = """
        {"packages": [
          {"name": "acme/http", "version": "v2.1.0", "version_normalized": "2.1.0.0", "type": "library"},
          {"name": "acme/util", "version": "1.4.2", "version_normalized": "1.4.2.0", "type": "library"}
        ], "dev": false, "dev-package-names": []}
        """

    /// npm 9's lockfile v3 for an app with a runtime dependency (left-pad), a dev dependency
    /// (jest) and an optional one the platform skipped (fsevents); `npm ci --omit=dev` installed
    /// only left-pad.
    static let packageLock = """
        {"name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
          "": {"name": "web", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}, "devDependencies": {"jest": "^29.7.0"}},
          "node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"},
          "node_modules/jest": {"version": "29.7.0", "dev": true},
          "node_modules/fsevents": {"version": "2.3.3", "optional": true}
        }}
        """

    func inventory(_ files: [String: String?]) async throws -> ImageInventory {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let layer = try await factory.layer("app", files: files)
        let layout = try factory.layout("app", layers: [layer])
        return try #require(try await ImageAnalyzer().analyze(OCILayoutSource(reference: "oci:app", directory: layout, tag: nil)).first)
    }

    static func summary(_ packages: [Package], type: PackageType) -> [String] {
        packages.filter { $0.type == type }.map { "\($0.name) \($0.version) \($0.location)" }.sorted()
    }

    @Test func composerLockEntriesNotInstalledAreNotReported() async throws {
        let lock = String(decoding: try LanguageFixtures.data("composer/app/composer.lock"), as: UTF8.self)
        let image = try await inventory([
            "var/www/composer.lock": lock,
            "var/www/vendor/composer/installed.json": Self.noDevInstalled,
            // A second application without a vendor directory: its installed set is unknown.
            "srv/tool/composer.lock": lock,
        ])
        // /var/www's lock entries go (its installed set is known, and testkit is not in it);
        // /srv/tool keeps what is not installed anywhere: its packages-dev entry.
        #expect(Self.summary(image.packages, type: .composer) == [
            "acme/http v2.1.0 /var/www/vendor/composer/installed.json",
            "acme/testkit 0.9.0 /srv/tool/composer.lock",
            "acme/util 1.4.2 /var/www/vendor/composer/installed.json",
        ])
        // Reported by default: everything but the unknown application's packages-dev entry.
        let reported = image.withoutDevelopmentDependencies()
        #expect(!reported.packages.contains { $0.name == "acme/testkit" })
        #expect(reported.packages.count == image.packages.count - 1)
        #expect(reported.layers[0].packageCount == image.layers[0].packageCount - 1)
    }

    @Test func npmLockEntriesAgainstNodeModules() async throws {
        let image = try await inventory([
            "web/package-lock.json": Self.packageLock,
            "web/node_modules/left-pad/package.json": #"{"name": "left-pad", "version": "1.3.0"}"#,
            "other/package-lock.json": Self.packageLock,
        ])
        // /web's lock entries go (its node_modules is known); /other keeps its own except
        // left-pad 1.3.0, which is installed (a lock entry repeating an installed release
        // is dropped wherever that release is installed).
        #expect(Self.summary(image.packages, type: .npm) == [
            "fsevents 2.3.3 /other/package-lock.json",
            "jest 29.7.0 /other/package-lock.json",
            "left-pad 1.3.0 /web/node_modules/left-pad/package.json",
        ])
        let reported = image.withoutDevelopmentDependencies()
        #expect(Self.summary(reported.packages, type: .npm) == [
            "fsevents 2.3.3 /other/package-lock.json",
            "left-pad 1.3.0 /web/node_modules/left-pad/package.json",
        ])
    }

    /// Composer's installed.json after a full `composer install` names its dev packages; they
    /// are on disk, so they stay in every report.
    @Test func installedDevPackagesStay() async throws {
        let installed = String(decoding: try LanguageFixtures.data("composer/app/vendor/composer/installed.json"), as: UTF8.self)
        let image = try await inventory(["app/vendor/composer/installed.json": installed])
        let reported = image.withoutDevelopmentDependencies()
        #expect(reported.packages.contains { $0.name == "acme/testkit" })
        #expect(reported.packages.count == image.packages.count)
    }
}
