/// A validation failure of untrusted OCI input. The `code` maps one-to-one onto the error codes of
/// the distribution spec, so the registry can answer with exactly the code a client expects.
public struct OCIError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case digestInvalid = "DIGEST_INVALID"
        case nameInvalid = "NAME_INVALID"
        case tagInvalid = "TAG_INVALID"
        case manifestInvalid = "MANIFEST_INVALID"
        case unsupported = "UNSUPPORTED"
        case referenceInvalid = "REFERENCE_INVALID"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
