import Analysis
import Foundation

/// A CycloneDX 1.6 JSON BOM (https://cyclonedx.org/docs/1.6/json/) for an image inventory: the
/// image is the metadata component, the OS and every package are components with a purl, and
/// Drydock's own facts (layer, location, source package) are `drydock:` properties.
public struct CycloneDXDocument: Encodable {
    struct Tool: Encodable { var type = "application"; var name = "drydock"; var version = Reports.toolVersion }
    struct Tools: Encodable { var components: [Tool] }
    struct Property: Encodable { var name: String; var value: String }
    struct LicenseChoice: Encodable {
        struct License: Encodable { var id: String?; var name: String? }
        var license: License?
        var expression: String?
    }
    struct Component: Encodable {
        var bomRef: String
        var type: String
        var group: String?
        var name: String
        var version: String?
        var purl: String?
        var licenses: [LicenseChoice]?
        var properties: [Property]?
        enum CodingKeys: String, CodingKey { case bomRef = "bom-ref", type, group, name, version, purl, licenses, properties }
    }
    struct Metadata: Encodable {
        var timestamp: String
        var tools: Tools
        var component: Component
    }
    struct Dependency: Encodable { var ref: String; var dependsOn: [String] }

    var bomFormat = "CycloneDX"
    var specVersion = "1.6"
    var serialNumber: String
    var version = 1
    var metadata: Metadata
    var components: [Component]
    var dependencies: [Dependency]
    /// Present in scan output (CycloneDX's VEX/VDR use): one entry per finding.
    var vulnerabilities: [CycloneDXVulnerability]?

    /// One BOM for all the images of a reference (one per platform of an index): packages of
    /// each platform carry a `drydock:platform` property when there are several.
    public init(_ inventories: [ImageInventory], now: Date = Date()) {
        serialNumber = "urn:uuid:\(UUID().uuidString.lowercased())"
        let first = inventories.first
        var image = Component(bomRef: "image", type: "container", name: first?.source ?? "image",
                              version: inventories.count == 1 ? (first?.manifestDigest ?? first?.configDigest) : nil)
        let platforms = inventories.compactMap(\.platform)
        image.properties = platforms.isEmpty ? nil : platforms.map { Property(name: "drydock:platform", value: $0) }
        metadata = Metadata(timestamp: ISO8601DateFormatter().string(from: now), tools: Tools(components: [Tool()]), component: image)
        var components: [Component] = []
        for (imageIndex, inventory) in inventories.enumerated() {
            let prefix = inventories.count == 1 ? "" : "\(imageIndex + 1)-"
            if let os = inventory.os {
                components.append(Component(bomRef: "\(prefix)os", type: "operating-system", name: os.family, version: os.version))
            }
            for (index, package) in inventory.packages.enumerated() {
                var component = Self.component(package, ref: Self.reference(prefix: prefix, index: index), layers: inventory.layers)
                if inventories.count > 1, let platform = inventory.platform {
                    component.properties?.append(Property(name: "drydock:platform", value: platform))
                }
                components.append(component)
            }
        }
        self.components = components
        dependencies = [Dependency(ref: "image", dependsOn: components.map(\.bomRef))]
    }

    static func reference(prefix: String, index: Int) -> String { "\(prefix)pkg-\(index + 1)" }

    static func component(_ package: Package, ref: String, layers: [ImageInventory.Layer]) -> Component {
        var group: String?
        var name = package.name
        if package.type == .maven, let colon = name.firstIndex(of: ":") {
            group = String(name[..<colon])
            name = String(name[name.index(after: colon)...])
        }
        var properties = [Property(name: "drydock:type", value: package.type.rawValue),
                          Property(name: "drydock:location", value: package.location)]
        if let layer = package.layerDigest {
            properties.append(Property(name: "drydock:layerDigest", value: layer))
            if let index = layers.first(where: { $0.digest == layer })?.index {
                properties.append(Property(name: "drydock:layerIndex", value: String(index)))
            }
        }
        if let source = package.sourceName { properties.append(Property(name: "drydock:sourceName", value: source)) }
        if let version = package.sourceVersion { properties.append(Property(name: "drydock:sourceVersion", value: version)) }
        if let arch = package.arch { properties.append(Property(name: "drydock:arch", value: arch)) }
        for (key, value) in package.properties.sorted(by: { $0.key < $1.key }) {
            properties.append(Property(name: "drydock:\(key)", value: value))
        }
        let licenses = package.licenses.isEmpty ? nil : package.licenses.map { license in
            SPDXLicense.isIdentifier(license)
                ? LicenseChoice(license: .init(id: license, name: nil))
                : LicenseChoice(license: .init(id: nil, name: license))
        }
        return Component(bomRef: ref, type: "library", group: group, name: name, version: package.version,
                         purl: package.purl, licenses: licenses, properties: properties)
    }
}
