import Foundation

/// What may be done to a repository. The raw values are the words clients put in token scopes
/// (`repository:team/app:pull,push`), plus `metadata/read` for listing without pulling.
public enum RepositoryAction: String, Codable, Sendable, CaseIterable, Comparable {
    case pull, push, delete
    case metadataRead = "metadata/read"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One line of a scope map: a repository pattern and the actions it grants. A pattern is a
/// repository name in which `*` matches any run of characters, slashes included (`team/*`, `*`).
public struct ScopeRule: Codable, Sendable, Equatable {
    public var repository: String
    public var actions: [RepositoryAction]

    public init(repository: String, actions: Set<RepositoryAction>) {
        self.repository = repository
        self.actions = actions.sorted()
    }

    public func matches(_ name: String) -> Bool {
        if repository == "*" { return true }
        if !repository.utf8.contains(UInt8(ascii: "*")) { return repository == name }
        return Self.glob(Array(repository.utf8)[...], Array(name.utf8)[...])
    }

    /// Iterative `*` matching (no backtracking blow-up on patterns like `a*a*a*b`).
    static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, t = text.startIndex
        var star: Int? = nil, mark = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = p; mark = t; p += 1
            } else if p < pattern.endIndex, pattern[p] == text[t] {
                p += 1; t += 1
            } else if let s = star {
                p = s + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}

/// Repository patterns × actions: everything a token (or any identity) is granted.
public struct ScopeMap: Codable, Sendable, Equatable {
    public var rules: [ScopeRule]

    public init(_ rules: [ScopeRule]) { self.rules = rules }

    public static let everything = ScopeMap([ScopeRule(repository: "*", actions: Set(RepositoryAction.allCases))])

    public func allows(_ action: RepositoryAction, on repository: String) -> Bool {
        rules.contains { $0.actions.contains(action) && $0.matches(repository) }
    }

    /// The actions granted on one repository.
    public func actions(on repository: String) -> Set<RepositoryAction> {
        var result = Set<RepositoryAction>()
        for rule in rules where rule.matches(repository) { result.formUnion(rule.actions) }
        return result
    }

    /// Whether the repository shows up in the catalog for this identity: any grant makes it visible.
    public func canSee(_ repository: String) -> Bool { rules.contains { !$0.actions.isEmpty && $0.matches(repository) } }

    /// Validates patterns typed by an admin: repository-name characters and `*` only.
    public static func validatePattern(_ pattern: String) -> Bool {
        guard !pattern.isEmpty, pattern.count <= 255 else { return false }
        return pattern.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-/*".unicodeScalars.contains($0)
        }
    }
}
