import OCI

/// Errors the storage layer reports; the server maps each code onto an OCI error response.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case blobUnknown = "BLOB_UNKNOWN"
        case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
        case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
        case rangeInvalid = "RANGE_INVALID"
        case digestInvalid = "DIGEST_INVALID"
        case sizeInvalid = "SIZE_INVALID"
        case manifestUnknown = "MANIFEST_UNKNOWN"
        case manifestInvalid = "MANIFEST_INVALID"
        case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
        case nameUnknown = "NAME_UNKNOWN"
        case io = "IO"
        case corrupt = "CORRUPT"
    }

    public let code: Code
    public let message: String
    /// For `rangeInvalid`: where the session really is, so the server can send `Range`.
    public let currentSize: Int64?

    public init(_ code: Code, _ message: String, currentSize: Int64? = nil) {
        self.code = code
        self.message = message
        self.currentSize = currentSize
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
