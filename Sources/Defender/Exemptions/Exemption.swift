import Foundation
import Matching

/// A risk accepted on purpose: open findings it covers are shown as `exempted` (never hidden)
/// until it expires or is removed, when they are open again. Every criterion given must hold;
/// at least one of vulnerability, package, purl or repository is required, so an exemption
/// cannot silence a whole registry by accident.
public struct Exemption: Codable, Sendable, Equatable {
    public var id: Int
    /// A vulnerability ID or one of its aliases (`CVE-…`, `GHSA-…`).
    public var vulnerability: String?
    /// A package name, compared without regard to case.
    public var package: String?
    /// A package URL without qualifiers (from an OpenVEX statement's products).
    public var purl: String?
    /// A repository pattern (`team/*`, `apps/**`).
    public var repository: String?
    /// Covers findings up to and including this severity. UNKNOWN severities are covered only
    /// by an exemption without this bound: an unrated finding may be critical.
    public var maxSeverity: String?
    public var justification: String
    public var createdBy: String
    public var createdAt: Double
    public var expiresAt: Double?
    public var removedAt: Double?
    public var removedBy: String?
    /// `manual`, or `openvex:NAME` for statements taken from a VEX document.
    public var source: String

    public func isActive(now: Double) -> Bool {
        removedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }

    /// The rank a finding's severity must not exceed; UNKNOWN ranks above CRITICAL.
    static func rank(_ severity: String) -> Int {
        switch severity.uppercased() {
        case "NONE": 0
        case "LOW": 1
        case "MEDIUM": 2
        case "HIGH": 3
        case "CRITICAL": 4
        default: 5
        }
    }

    static let severities = ["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
}

/// What a client asks for when it creates an exemption (checked before it is stored).
public struct ExemptionRequest: Sendable {
    public var vulnerability: String?
    public var package: String?
    public var purl: String?
    public var repository: String?
    public var maxSeverity: String?
    public var justification: String
    public var expiresAt: Double?
    public var source: String = "manual"

    /// Checks the request as a user wrote it; `now` rules out expiries in the past.
    func validated(now: Double) throws -> ExemptionRequest {
        var out = self
        func clean(_ value: String?, _ name: String, limit: Int) throws -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            guard value.count <= limit, !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw DefenderError(.invalid, "\(name) must be one line of at most \(limit) characters")
            }
            return value
        }
        out.vulnerability = try clean(vulnerability, "vulnerability", limit: 200)
        out.package = try clean(package, "package", limit: 300)
        out.purl = try clean(purl, "purl", limit: 1000).map(VEXStatement.base)
        out.repository = try clean(repository, "repository", limit: 255)
        guard out.vulnerability != nil || out.package != nil || out.purl != nil || out.repository != nil else {
            throw DefenderError(.invalid, "an exemption needs a vulnerability, a package or a repository pattern (or several)")
        }
        if let severity = try clean(maxSeverity, "maxSeverity", limit: 20) {
            guard Exemption.severities.contains(severity.uppercased()) else {
                throw DefenderError(.invalid, "maxSeverity must be one of \(Exemption.severities.joined(separator: ", "))")
            }
            out.maxSeverity = severity.uppercased()
        }
        let reason = justification.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw DefenderError(.invalid, "an exemption needs a justification") }
        guard reason.count <= 2000 else { throw DefenderError(.invalid, "the justification is longer than 2000 characters") }
        out.justification = reason
        if let expiresAt, expiresAt <= now {
            throw DefenderError(.invalid, "the expiry \(Time.iso(expiresAt)) is not in the future")
        }
        return out
    }

    /// `YYYY-MM-DD` (the exemption ends when that day starts, UTC) or an RFC 3339 time.
    static func expiry(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 10, let day = try? Date.ISO8601FormatStyle().year().month().day().parse(trimmed) {
            return day.timeIntervalSince1970
        }
        for style in [Date.ISO8601FormatStyle(), Date.ISO8601FormatStyle(includingFractionalSeconds: true)] {
            if let date = try? style.parse(trimmed) { return date.timeIntervalSince1970 }
        }
        throw DefenderError(.invalid, "expires must be a date YYYY-MM-DD or an RFC 3339 time, not '\(trimmed.prefix(40))'")
    }

    /// One request per affected product of each `not_affected` or `fixed` statement of an
    /// OpenVEX document. A package product (a purl other than `pkg:oci`) becomes a purl
    /// criterion; an image product (`pkg:oci/NAME`) becomes the repositories named NAME.
    static func fromOpenVEX(_ statements: [VEXStatement], name: String) -> [ExemptionRequest] {
        var out: [ExemptionRequest] = []
        for statement in statements where statement.status == "not_affected" || statement.status == "fixed" {
            // The statement's own name first: aliases match through the finding's aliases.
            guard let vulnerability = statement.vulnerability.sorted().first(where: { !$0.hasPrefix("http") })
                ?? statement.vulnerability.sorted().first else { continue }
            let reason = "OpenVEX \(name): \(statement.status)" + (statement.justification.map { " (\($0))" } ?? "")
            let packages = statement.products.filter { $0.hasPrefix("pkg:") && !$0.hasPrefix("pkg:oci/") }
            let images = statement.products.filter { $0.hasPrefix("pkg:oci/") }
            for purl in packages.sorted() {
                out.append(ExemptionRequest(vulnerability: vulnerability, purl: purl, justification: reason, source: "openvex:\(name)"))
            }
            if packages.isEmpty {
                for image in images.sorted() {
                    let repository = String(image.dropFirst("pkg:oci/".count).split(separator: "@")[0])
                    guard !repository.isEmpty else { continue }
                    for pattern in [repository, "**/\(repository)"] {
                        out.append(ExemptionRequest(vulnerability: vulnerability, repository: pattern, justification: reason,
                                                    source: "openvex:\(name)"))
                    }
                }
            }
        }
        return out
    }
}
