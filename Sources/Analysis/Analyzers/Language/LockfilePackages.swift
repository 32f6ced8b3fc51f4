/// Collects the packages of one lockfile: one record per name and version (a lockfile lists the
/// same release once per place it is installed), sorted by name then version so that the output
/// does not depend on dictionary order. A release is a dev dependency (`properties["dev"]`) only
/// if every occurrence of it is.
struct LockfilePackages {
    let type: PackageType
    let location: String
    private var byKey: [String: Package] = [:]

    init(type: PackageType, location: String) {
        self.type = type
        self.location = location
    }

    var count: Int { byKey.count }

    mutating func add(name: String, version: String, dev: Bool = false, licenses: [String] = [],
                      properties: [String: String] = [:]) {
        let key = name + "\u{0}" + version
        if var existing = byKey[key] {
            if !dev, existing.properties["dev"] != nil {
                existing.properties["dev"] = nil
                byKey[key] = existing
            }
            return
        }
        var properties = properties
        if dev { properties["dev"] = "true" }
        byKey[key] = Package(type: type, name: name, version: version, licenses: licenses,
                             location: location, properties: properties)
    }

    var packages: [Package] {
        byKey.values.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    var findings: FileFindings { FileFindings(packages: packages) }
}
