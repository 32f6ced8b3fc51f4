import Foundation

/// What kind of caller an identity is. The resource logs record it as `IdentityType`.
public enum IdentityKind: String, Codable, Sendable, CaseIterable {
    case admin, user, token, service, anonymous
}

/// An authenticated (or anonymous) caller and what it may do.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var kind: IdentityKind
    /// Trusted services pass network rules that would refuse others, while the registry allows it.
    public var trusted: Bool
    public var scopes: ScopeMap

    public init(name: String, kind: IdentityKind, trusted: Bool = false, scopes: ScopeMap) {
        self.name = name
        self.kind = kind
        self.trusted = trusted
        self.scopes = scopes
    }

    public var isAdmin: Bool { kind == .admin }

    public static let anonymous = Identity(name: "", kind: .anonymous, scopes: ScopeMap([]))

    /// Anonymous callers when the registry allows anonymous pull.
    public static let anonymousPuller = Identity(
        name: "", kind: .anonymous, scopes: ScopeMap([ScopeRule(repository: "*", actions: [.pull, .metadataRead])]))

    /// The built-in identity of the scanning service.
    public static let defenderName = "defender"
}
