import Foundation

/// Maven coordinates for an archive that carries no pom.properties, chosen as syft's java
/// cataloger chooses them (parse_java_manifest.go selectName/selectVersion, package_url.go
/// groupIDFromJavaMetadata), so that the same jar gets the same name in both:
///
/// - artifact: the name from the file name (`JavaArchiveFilename`), else the manifest's `Name`,
///   `Bundle-Name`, `Short-Name`, `Extension-Name`, `Implementation-Title`;
/// - version: the version from the file name, else `Implementation-Version`,
///   `Specification-Version`, `Plugin-Version` (main section first, then the others), and —
///   beyond syft, which would leave it empty — `Bundle-Version`;
/// - group: the manifest values of `Group-Id`, `Bundle-SymbolicName`, `Extension-Name`,
///   `Specification-Vendor`, `Implementation-Vendor`, `Implementation-Vendor-Id`,
///   `Implementation-Title`, `Bundle-Activator` that start with "com", "org", "net", "io" or "be",
///   cut at `;` (OSGi directives) and `#`, sorted, the first; else the same from
///   `Automatic-Module-Name`, `Main-Class`, `Package`; else the artifact name itself (syft's
///   purl then reads `pkg:maven/jsoup/jsoup`). syft's built-in table of well-known artifact →
///   group ids is not reproduced.
struct JavaArchiveIdentity: Equatable {
    var groupId: String
    var artifactId: String
    var version: String
    /// "manifest" when the manifest supplied any part of it, else "filename".
    var evidence: String

    static let nameFields = ["Name", "Bundle-Name", "Short-Name", "Extension-Name", "Implementation-Title"]
    static let versionFields = ["Implementation-Version", "Specification-Version", "Plugin-Version", "Bundle-Version"]
    static let primaryGroupFields = [
        "Group-Id", "Bundle-SymbolicName", "Extension-Name", "Specification-Vendor", "Implementation-Vendor",
        "Implementation-Vendor-Id", "Implementation-Title", "Bundle-Activator",
    ]
    static let secondaryGroupFields = ["Automatic-Module-Name", "Main-Class", "Package"]
    static let groupPrefixes = ["com", "org", "net", "io", "be"]

    /// Nil when neither the file name nor the manifest gives an artifact name.
    init?(fileName: String, manifest: JarManifest?) {
        let fromName = JavaArchiveFilename(fileName)
        var usedManifest = false
        var artifact = fromName.name
        if artifact.isEmpty, let manifest {
            artifact = Self.nameFields.lazy.compactMap { manifest[$0] }.first { !$0.isEmpty } ?? ""
            usedManifest = !artifact.isEmpty
        }
        guard !artifact.isEmpty else { return nil }
        var version = fromName.version
        if version.isEmpty, let manifest {
            version = Self.versionFields.lazy.compactMap { manifest.firstValue($0) }.first ?? ""
            usedManifest = usedManifest || !version.isEmpty
        }
        var group = ""
        if let manifest {
            group = Self.group(manifest, fields: Self.primaryGroupFields) ?? Self.group(manifest, fields: Self.secondaryGroupFields) ?? ""
            usedManifest = usedManifest || !group.isEmpty
        }
        groupId = group.isEmpty ? artifact : group
        artifactId = artifact
        self.version = version
        evidence = usedManifest ? "manifest" : "filename"
    }

    private static func group(_ manifest: JarManifest, fields: [String]) -> String? {
        var candidates: [String] = []
        for field in fields {
            let key = field.lowercased()
            let values = ([manifest.main[key]] + manifest.sections.map { $0[key] }).compactMap { $0 }
            for value in values where groupPrefixes.contains(where: value.hasPrefix) {
                let cleaned = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .trimmingCharacters(in: .whitespaces)
                candidates.append(cleaned)
            }
        }
        return candidates.sorted().first
    }
}
