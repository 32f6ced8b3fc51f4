import Foundation
import RegistryServer

/// Reading requests and writing answers: forms, cookies, query strings, redirects.
enum Web {
    /// `application/x-www-form-urlencoded` (a repeated field keeps its last value).
    static func form(_ data: Data) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                return pair[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    static func sessionCookie(_ value: String, secure: Bool, maxAge: Int) -> (String, String) {
        ("Set-Cookie", "\(SessionStore.cookieName)=\(value); Path=/ui; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)" + (secure ? "; Secure" : ""))
    }

    /// A query string from pairs, leaving out empty values.
    static func query(_ pairs: [(String, String?)]) -> String {
        let parts = pairs.compactMap { key, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "\(key)=\(encode(value))"
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:/@")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static let securityHeaders: [(String, String)] = [
        // Everything the pages use comes from this server; inline SVG needs no exception.
        ("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    static func html(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> WebReply {
        WebReply(status: status, headers: [("Content-Type", "text/html; charset=utf-8")] + securityHeaders + headers, body: Data(text.utf8))
    }

    static func redirect(_ location: String, headers: [(String, String)] = []) -> WebReply {
        WebReply(status: 303, headers: [("Location", location)] + securityHeaders + headers)
    }

    /// Whether a state-changing request comes from the dashboard's own pages: browsers send
    /// `Origin` (or `Sec-Fetch-Site`) with form posts; one naming another site is refused even
    /// before the CSRF token is checked.
    static func isSameOrigin(_ call: WebCall) -> Bool {
        if let site = call.headers["sec-fetch-site"], site == "cross-site" || site == "same-site" { return false }
        // Without Origin (not a browser, or an old one) the CSRF token alone decides.
        guard let origin = call.headers["origin"] else { return true }
        guard origin != "null", let host = call.headers["host"], let url = URL(string: origin), let originHost = url.host else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        let names = ["\(originHost)\(port)", "[\(originHost)]\(port)"].map { $0.lowercased() }
        return names.contains(host.lowercased())
    }
}
