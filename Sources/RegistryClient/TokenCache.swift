import Foundation

/// Bearer tokens by scope, so one pull does one token exchange, not one per request.
actor TokenCache {
    private struct Entry {
        var token: String
        var expires: Date
    }

    private var tokens: [String: Entry] = [:]

    func token(for scope: String) -> String? {
        guard let entry = tokens[scope], entry.expires > Date() else { return nil }
        return entry.token
    }

    func store(_ token: String, for scope: String, lifetime: TimeInterval) {
        // Renew a little early so a token never expires mid-request.
        tokens[scope] = Entry(token: token, expires: Date().addingTimeInterval(max(0, lifetime - 10)))
    }
}
