/// A failed registry interaction. `code` is the registry's OCI error code when it sent one
/// (`MANIFEST_UNKNOWN`, `DENIED`…), so callers can tell "not there" from "not allowed".
public struct RegistryClientError: Error, Sendable, CustomStringConvertible {
    public let status: Int?
    public let code: String?
    public let message: String

    public init(status: Int? = nil, code: String? = nil, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        var s = message
        if let code { s += " (\(code))" }
        if let status { s += " [HTTP \(status)]" }
        return s
    }

    public var isNotFound: Bool { status == 404 }
}
