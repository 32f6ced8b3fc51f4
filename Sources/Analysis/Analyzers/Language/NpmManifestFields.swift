import Foundation

/// Fields that package.json and npm lockfile entries share, read the way npm documents them
/// (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license).
enum NpmManifestFields {
    /// `license` as an SPDX string, or the deprecated `{"type": …}` object; failing those, the
    /// deprecated `licenses` array of objects (or strings). Anything else yields no licence.
    static func licenses(_ manifest: [String: JSONValue]) -> [String] {
        if let license = manifest["license"] {
            let found = licenseNames(license)
            if !found.isEmpty { return found }
        }
        if let legacy = manifest["licenses"] {
            return licenseNames(legacy)
        }
        return []
    }

    private static func licenseNames(_ value: JSONValue) -> [String] {
        switch value {
        case .string:
            return value.nonEmptyString.map { [$0] } ?? []
        case .object:
            return value["type"]?.nonEmptyString.map { [$0] } ?? []
        case .array(let items):
            var names: [String] = []
            for item in items.prefix(64) {
                let name = item.nonEmptyString ?? item["type"]?.nonEmptyString
                if let name, !names.contains(name) { names.append(name) }
            }
            return names
        default:
            return []
        }
    }
}

/// npm package names inside paths and dependency specifiers.
enum NpmName {
    /// The package name a `node_modules` path installs: whatever follows the last
    /// `node_modules/` (`node_modules/a/node_modules/@types/node` → `@types/node`).
    static func fromNodeModulesPath(_ path: String) -> String? {
        guard let range = path.range(of: "node_modules/", options: .backwards) else { return nil }
        let name = path[range.upperBound...]
        return name.isEmpty ? nil : String(name)
    }

    /// Splits `name@rest` where the name may be scoped (`@babel/core@^7.0.0` → `@babel/core`,
    /// `^7.0.0`). Nil when there is no `@` after the name.
    static func splitSpecifier<S: StringProtocol>(_ specifier: S) -> (name: String, rest: String)? {
        let searchStart = specifier.hasPrefix("@") ? specifier.index(after: specifier.startIndex) : specifier.startIndex
        guard let at = specifier[searchStart...].firstIndex(of: "@") else { return nil }
        let name = specifier[..<at]
        guard !name.isEmpty, name != "@" else { return nil }
        return (String(name), String(specifier[specifier.index(after: at)...]))
    }
}
