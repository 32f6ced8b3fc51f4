import Foundation

/// A statement of an OpenVEX document (https://github.com/openvex/spec): a product's status for a
/// vulnerability. `not_affected` and `fixed` statements suppress matching findings.
public struct VEXStatement: Sendable, Hashable {
    public var vulnerability: Set<String>
    /// Product and subcomponent identifiers (purls), without qualifiers.
    public var products: Set<String>
    public var status: String
    public var justification: String?

    func suppresses(ids: Set<String>, purl: String?) -> Bool {
        guard status == "not_affected" || status == "fixed", !vulnerability.isDisjoint(with: ids), let purl else { return false }
        return products.contains(VEXStatement.base(purl))
    }

    /// A purl without qualifiers and subpath: VEX authors rarely know the distro qualifier.
    public static func base(_ purl: String) -> String {
        String(purl.split(separator: "#", maxSplits: 1)[0].split(separator: "?", maxSplits: 1)[0])
    }
}

public enum OpenVEX {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ path: String) throws -> [VEXStatement] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 16 << 20 else {
            throw Error(description: "cannot read VEX document \(path)")
        }
        return try parse(data, name: path)
    }

    public static func parse(_ data: Data, name: String) throws -> [VEXStatement] {
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let context = top["@context"] as? String, context.contains("openvex"),
              let statements = top["statements"] as? [[String: Any]] else {
            throw Error(description: "\(name) is not an OpenVEX document (needs @context and statements)")
        }
        return try statements.enumerated().map { index, statement in
            var names: Set<String> = []
            // v0.2: {"name": …, "aliases": […]}; v0.0.x: a plain string.
            if let vulnerability = statement["vulnerability"] as? [String: Any] {
                if let name = vulnerability["name"] as? String { names.insert(name) }
                if let id = vulnerability["@id"] as? String { names.insert(id) }
                names.formUnion(vulnerability["aliases"] as? [String] ?? [])
            } else if let name = statement["vulnerability"] as? String {
                names.insert(name)
            }
            guard !names.isEmpty, let status = statement["status"] as? String else {
                throw Error(description: "\(name): statement \(index + 1) needs a vulnerability and a status")
            }
            var products: Set<String> = []
            for product in statement["products"] as? [Any] ?? [] {
                if let id = product as? String { products.insert(VEXStatement.base(id)) }
                if let object = product as? [String: Any] {
                    if let id = object["@id"] as? String { products.insert(VEXStatement.base(id)) }
                    for sub in object["subcomponents"] as? [[String: Any]] ?? [] {
                        if let id = sub["@id"] as? String { products.insert(VEXStatement.base(id)) }
                    }
                }
            }
            return VEXStatement(vulnerability: names, products: products, status: status,
                                justification: statement["justification"] as? String)
        }
    }
}
