import Analysis
import Foundation

/// An SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/) for an image inventory:
/// the image is the described package, which CONTAINS the OS and every package; each package
/// carries its purl as a PACKAGE-MANAGER external reference.
public struct SPDXDocument: Encodable {
    struct CreationInfo: Encodable { var created: String; var creators: [String] }
    struct ExternalRef: Encodable { var referenceCategory: String; var referenceType: String; var referenceLocator: String }
    struct SPDXPackage: Encodable {
        var SPDXID: String
        var name: String
        var versionInfo: String?
        var downloadLocation = "NOASSERTION"
        var filesAnalyzed = false
        var licenseConcluded = "NOASSERTION"
        var licenseDeclared: String
        var copyrightText = "NOASSERTION"
        var sourceInfo: String?
        var primaryPackagePurpose: String
        var externalRefs: [ExternalRef]?
    }
    struct Relationship: Encodable { var spdxElementId: String; var relationshipType: String; var relatedSpdxElement: String }

    var spdxVersion = "SPDX-2.3"
    var dataLicense = "CC0-1.0"
    var SPDXID = "SPDXRef-DOCUMENT"
    var name: String
    var documentNamespace: String
    var creationInfo: CreationInfo
    var documentDescribes: [String]
    var packages: [SPDXPackage]
    var relationships: [Relationship]

    /// One document for all the images of a reference: one CONTAINER package per platform,
    /// each CONTAINS its OS and packages.
    public init(_ inventories: [ImageInventory], now: Date = Date()) {
        name = inventories.first?.source ?? "image"
        documentNamespace = "https://drydock.invalid/spdx/\(UUID().uuidString.lowercased())"
        creationInfo = CreationInfo(created: ISO8601DateFormatter().string(from: now), creators: ["Tool: drydock-\(Reports.toolVersion)"])
        var packages: [SPDXPackage] = []
        var relationships: [Relationship] = []
        var described: [String] = []
        for (imageIndex, inventory) in inventories.enumerated() {
            let prefix = inventories.count == 1 ? "" : "\(imageIndex + 1)-"
            let image = SPDXPackage(SPDXID: "SPDXRef-Image\(inventories.count == 1 ? "" : "-\(imageIndex + 1)")",
                                    name: inventory.platform.map { "\(inventory.source) (\($0))" } ?? inventory.source,
                                    versionInfo: inventory.manifestDigest ?? inventory.configDigest,
                                    licenseDeclared: "NOASSERTION", primaryPackagePurpose: "CONTAINER")
            described.append(image.SPDXID)
            relationships.append(Relationship(spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: image.SPDXID))
            var contained: [SPDXPackage] = []
            if let os = inventory.os {
                contained.append(SPDXPackage(SPDXID: "SPDXRef-OperatingSystem-\(prefix)1", name: os.family, versionInfo: os.version,
                                             licenseDeclared: "NOASSERTION", primaryPackagePurpose: "OPERATING-SYSTEM"))
            }
            for (index, package) in inventory.packages.enumerated() {
                var origin = "found at \(package.location)"
                if let nested = package.properties["nestedPath"] { origin += " (inside: \(nested))" }
                if let layer = package.layerDigest { origin += " in layer \(layer)" }
                let declared = package.licenses.count == 1 && SPDXLicense.isIdentifier(package.licenses[0]) ? package.licenses[0] : "NOASSERTION"
                contained.append(SPDXPackage(
                    SPDXID: "SPDXRef-Package-\(prefix)\(index + 1)", name: package.name, versionInfo: package.version,
                    licenseDeclared: declared, sourceInfo: origin,
                    primaryPackagePurpose: package.type.isOSPackage ? "INSTALL" : "LIBRARY",
                    externalRefs: package.purl.map { [ExternalRef(referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: $0)] }))
            }
            packages.append(image)
            packages += contained
            relationships += contained.map { Relationship(spdxElementId: image.SPDXID, relationshipType: "CONTAINS", relatedSpdxElement: $0.SPDXID) }
        }
        documentDescribes = described
        self.packages = packages
        self.relationships = relationships
    }
}
