import Versioning

public enum AffectedStatus: String, Codable, Sendable, Equatable {
    /// A fix exists (some range has a `fixed` event / a fixed version is known).
    case fixed
    /// Affected, no fix yet.
    case affected
    case willNotFix = "will_not_fix"
    case fixDeferred = "fix_deferred"
    /// Listed by the source as never affected (Alpine key `"0"`, Debian fixed version `0`).
    case notAffected = "not_affected"
}

/// One (vulnerability, package) statement.
public struct AffectedPackage: Codable, Sendable, Equatable {
    public var vulnerabilityID: String
    /// "pypi", "go", "crates.io", "rubygems", "packagist", "npm", "maven", "nuget", "debian:12",
    /// "alpine:3.11", "ubuntu:22.04", "rocky:8", and "ruby-interpreter", "nodejs-runtime".
    public var namespace: String
    /// PyPI: PEP 503-normalised; Debian/Alpine: source/origin package; Maven: "group:artifact";
    /// Go: module path; others as written.
    public var package: String
    /// The Versioning scheme used to compare versions of `package`.
    public var ecosystem: Ecosystem
    public var status: AffectedStatus
    /// OSV-style event lists; each inner list is one range.
    public var ranges: [[OSVEvent]]
    /// Explicitly enumerated affected versions (OSV `versions`).
    public var versions: [String]
    /// Native syntax for `ecosystem`; affected if ANY matches.
    public var vulnerableConstraints: [String]
    /// Native syntax for `ecosystem`; NOT affected if ANY matches.
    public var safeConstraints: [String]
    /// Versions that fix it (for the remediation message); empty if none.
    public var fixedVersions: [String]

    public init(vulnerabilityID: String, namespace: String, package: String, ecosystem: Ecosystem,
                status: AffectedStatus, ranges: [[OSVEvent]] = [], versions: [String] = [],
                vulnerableConstraints: [String] = [], safeConstraints: [String] = [], fixedVersions: [String] = []) {
        self.vulnerabilityID = vulnerabilityID
        self.namespace = namespace
        self.package = package
        self.ecosystem = ecosystem
        self.status = status
        self.ranges = ranges
        self.versions = versions
        self.vulnerableConstraints = vulnerableConstraints
        self.safeConstraints = safeConstraints
        self.fixedVersions = fixedVersions
    }

    /// Whether `version` (in `ecosystem`'s syntax) is affected.
    ///
    /// * `notAffected` entries never match.
    /// * A version matching any `safeConstraints` entry is not affected.
    /// * Otherwise it is affected if it lies in any OSV range (`introduced: "0"` = from the start,
    ///   no upper event = unbounded), equals any listed `versions` entry, or matches any
    ///   `vulnerableConstraints` entry.
    /// * When there are no ranges, versions or vulnerable constraints at all, every version not
    ///   excluded by `safeConstraints` is affected (rubysec: "no patched list means no fix").
    ///
    /// Throws `VersionParseError` when `version` is not valid for `ecosystem`, or when a stored bound
    /// is unreadable and no other range or constraint matched.
    public func isAffected(version: String) throws -> Bool {
        if status == .notAffected { return false }
        // An unreadable bound in one entry (real data has a few, e.g. PyPI "2.9.0-NA") must not
        // hide a match in another: evaluate everything, and throw only if nothing decided.
        var firstError: (any Error)?
        func check(_ body: () throws -> Bool) -> Bool {
            do { return try body() } catch {
                if firstError == nil { firstError = error }
                return false
            }
        }
        for safe in safeConstraints
        where check({ try VersionRange.parse(safe, ecosystem: ecosystem).contains(version, ecosystem: ecosystem) }) {
            return false
        }
        if let e = firstError { throw e }  // cannot tell whether it is excluded
        if versions.contains(version) { return true }
        for r in ranges where check({ try VersionRange.osv(r, ecosystem: ecosystem).contains(version, ecosystem: ecosystem) }) {
            return true
        }
        for c in vulnerableConstraints
        where check({ try VersionRange.parse(c, ecosystem: ecosystem).contains(version, ecosystem: ecosystem) }) {
            return true
        }
        for v in versions where (try? compare(v, version, in: ecosystem)) == .equal { return true }
        if let e = firstError { throw e }
        return ranges.isEmpty && versions.isEmpty && vulnerableConstraints.isEmpty
    }
}
