import Foundation

/// A parsed `WWW-Authenticate` challenge (RFC 7235 auth-params), as registries send them:
/// `Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"` or
/// `Basic realm="Registry"`.
public struct AuthChallenge: Equatable, Sendable {
    public enum Scheme: String, Sendable { case basic, bearer }

    public let scheme: Scheme
    public let parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    /// The first challenge with a scheme we support; nil when there is none.
    public static func parse(_ header: String) -> AuthChallenge? {
        var rest = Substring(header)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            let schemeEnd = rest.firstIndex(of: " ") ?? rest.endIndex
            let schemeName = rest[..<schemeEnd].lowercased()
            rest = rest[schemeEnd...]
            var parameters: [String: String] = [:]
            // auth-param list: key=value or key="quoted", separated by commas, until the next scheme.
            while true {
                rest = rest.drop { $0 == " " || $0 == "," }
                guard let eq = rest.firstIndex(of: "="), !rest[..<eq].contains(" ") else { break }
                let key = rest[..<eq].lowercased()
                rest = rest[rest.index(after: eq)...]
                var value = ""
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    var escaped = false
                    while let c = rest.first {
                        rest = rest.dropFirst()
                        if escaped { value.append(c); escaped = false }
                        else if c == "\\" { escaped = true }
                        else if c == "\"" { break }
                        else { value.append(c) }
                    }
                } else {
                    let end = rest.firstIndex(of: ",") ?? rest.endIndex
                    value = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
                    rest = rest[end...]
                }
                parameters[key] = value
            }
            if let scheme = Scheme(rawValue: schemeName) {
                return AuthChallenge(scheme: scheme, parameters: parameters)
            }
        }
        return nil
    }
}
