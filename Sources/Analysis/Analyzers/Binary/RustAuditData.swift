import Foundation

/// The dependency list that cargo-auditable embeds in Rust executables (`.dep-v0`): zlib-compressed
/// JSON, `{"format": 1, "packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`
/// (https://github.com/rust-secure-code/cargo-auditable, PARSING.md and
/// cargo-auditable.schema.json). `source` is usually a string ("crates.io", "git", "local",
/// "registry") but the schema also allows an object such as `{"Other": "…"}`; `kind` ("build" or
/// "runtime") and `root` may be omitted. An entry without a string name and version is skipped;
/// anything that is not such a JSON object at all is an error.
struct RustAuditData: Equatable {
    struct Crate: Equatable {
        var name: String
        var version: String
        var source: String?
        var kind: String?
        var isRoot: Bool
    }

    enum Failure: Error, CustomStringConvertible {
        case compression(BoundedInflater.Failure)
        case notJSON
        case noPackageList

        var description: String {
            switch self {
            case .compression(let failure): return "audit data: \(failure)"
            case .notJSON: return "audit data is not JSON"
            case .noPackageList: return "audit data has no \"packages\" list"
            }
        }
    }

    /// PARSING.md: "8 MiB should be more than enough to hold any legitimate audit data."
    static let maxSize = 8 << 20

    var crates: [Crate]

    init(compressed: Data) throws {
        let json: Data
        do {
            json = try BoundedInflater.inflateZlib(compressed, limit: Self.maxSize)
        } catch let failure as BoundedInflater.Failure {
            throw Failure.compression(failure)
        }
        try self.init(json: json)
    }

    init(json: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: json), let root = object as? [String: Any] else {
            throw Failure.notJSON
        }
        guard let packages = root["packages"] as? [Any] else { throw Failure.noPackageList }
        crates = packages.compactMap { element in
            guard let entry = element as? [String: Any],
                  let name = entry["name"] as? String, !name.isEmpty,
                  let version = entry["version"] as? String else { return nil }
            return Crate(name: name, version: version, source: Self.source(entry["source"]),
                         kind: entry["kind"] as? String, isRoot: (entry["root"] as? Bool) ?? false)
        }
    }

    private static func source(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        // {"Other": "sparse+https://…"}: the one value of a single-key object.
        if let object = value as? [String: Any], object.count == 1, let text = object.values.first as? String { return text }
        return nil
    }
}
