import Analysis

/// What a finding says about the vulnerable package.
public struct FindingPackage: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    /// The purl type: deb, apk, rpm, pypi, npm, golang, maven, gem, cargo, composer, nuget.
    public var ecosystem: String
    public var purl: String?
    public var location: String
    public var layerDigest: String?
    /// 1-based index of that layer in the image, and the image's layer count.
    public var layerIndex: Int?
    public var layerCount: Int?
    /// OS packages: the source package the advisory is keyed by.
    public var sourceName: String?
    public var sourceVersion: String?

    public init(_ package: Package, layers: [ImageInventory.Layer]) {
        name = package.name
        version = package.version
        ecosystem = package.type.rawValue
        purl = package.purl
        location = package.location
        layerDigest = package.layerDigest
        layerIndex = layers.first { $0.digest == package.layerDigest }?.index
        layerCount = layers.count
        sourceName = package.type.isOSPackage ? package.sourceName : nil
        sourceVersion = package.type.isOSPackage ? package.sourceVersion : nil
    }

    /// A package as another scanner reported it: no inventory of Drydock's behind it.
    public init(name: String, version: String, ecosystem: String, location: String) {
        self.name = name
        self.version = version
        self.ecosystem = ecosystem
        self.location = location
    }
}

public enum FindingStatus: String, Codable, Sendable, Comparable {
    /// A fixed version exists.
    case fixed
    /// Affected and no fix exists yet.
    case affected
    /// The distribution decided not to fix it (Debian `<ignored>`, end of life).
    case willNotFix = "will_not_fix"
    /// The distribution postponed the fix (Debian `<postponed>`, `<no-dsa>`).
    case fixDeferred = "fix_deferred"

    public static func < (a: FindingStatus, b: FindingStatus) -> Bool { a.rank < b.rank }
    private var rank: Int { [.fixed: 0, .affected: 1, .fixDeferred: 2, .willNotFix: 3][self] ?? 4 }
}

/// How a match was made, so that "why is this reported?" has an answer.
public struct MatchDetails: Codable, Sendable, Hashable {
    /// The advisory namespace searched (`debian:12`, `pypi`).
    public var namespace: String
    /// The package key searched (the Debian source package, the PEP 503 name…).
    public var key: String
    /// The version compared (for Debian: the source version).
    public var version: String
    /// The ranges or constraints that matched, in the advisory's own terms.
    public var matched: String
    /// `distro` (the OS's own advisory for a package it installed), `ecosystem`, or `external`
    /// (another scanner's answer, `namespace` naming the scanner).
    public var kind: String

    public init(namespace: String, key: String, version: String, matched: String, kind: String) {
        self.namespace = namespace
        self.key = key
        self.version = version
        self.matched = matched
        self.kind = kind
    }
}

/// One vulnerability in one package.
public struct Finding: Codable, Sendable, Hashable {
    public var vulnerabilityID: String
    public var aliases: [String]
    public var package: FindingPackage
    public var status: FindingStatus
    /// The lowest version above the installed one that fixes it.
    public var fixedVersion: String?
    /// NONE/LOW/MEDIUM/HIGH/CRITICAL, or UNKNOWN.
    public var severity: String
    public var severitySource: String?
    public var cvssScore: Double?
    public var cvssVector: String?
    public var title: String?
    public var references: [String]
    public var knownExploited: Bool
    public var match: MatchDetails
    /// The one-line action that removes it (shared by every finding of the same package).
    public var remediation: String

    public init(vulnerabilityID: String, aliases: [String], package: FindingPackage, status: FindingStatus, fixedVersion: String?,
                severity: String, severitySource: String?, cvssScore: Double?, cvssVector: String?, title: String?, references: [String],
                knownExploited: Bool, match: MatchDetails, remediation: String) {
        self.vulnerabilityID = vulnerabilityID
        self.aliases = aliases
        self.package = package
        self.status = status
        self.fixedVersion = fixedVersion
        self.severity = severity
        self.severitySource = severitySource
        self.cvssScore = cvssScore
        self.cvssVector = cvssVector
        self.title = title
        self.references = references
        self.knownExploited = knownExploited
        self.match = match
        self.remediation = remediation
    }
}
