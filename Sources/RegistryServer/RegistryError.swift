import Hummingbird
import HTTPTypes
import NIOCore
import OCI
import RegistryStorage

/// An error answered in the distribution spec's envelope:
/// `{"errors":[{"code":"…","message":"…","detail":…}]}`.
public struct RegistryError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Self.envelope(code: code, message: message)
        var headers = self.headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        headers[RegistryHeader.apiVersion] = "registry/2.0"
        return Response(status: status, headers: headers,
                         body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: body))
    }

    static func envelope(code: String, message: String) -> ByteBuffer {
        var escaped = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return ByteBuffer(string: "{\"errors\":[{\"code\":\"\(code)\",\"message\":\"\(escaped)\",\"detail\":null}]}\n")
    }

    static func from(_ error: OCIError) -> RegistryError {
        RegistryError(.badRequest, error.code.rawValue, error.message)
    }

    static func from(_ error: StorageError) -> RegistryError {
        let status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        switch error.code {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: status = .notFound
        case .rangeInvalid:
            status = .rangeNotSatisfiable
            if let size = error.currentSize { headers[RegistryHeader.range] = RegistryHeader.rangeValue(size: size) }
        case .blobUploadInvalid, .digestInvalid, .sizeInvalid, .manifestInvalid, .manifestBlobUnknown: status = .badRequest
        case .io, .corrupt: status = .internalServerError
        }
        let code: String
        switch error.code {
        case .rangeInvalid: code = "BLOB_UPLOAD_INVALID"
        case .io, .corrupt: code = "UNKNOWN"
        default: code = error.code.rawValue
        }
        return RegistryError(status, code, error.message, headers: headers)
    }

    static func blobUnknown(_ digest: Digest) -> RegistryError {
        RegistryError(.notFound, "BLOB_UNKNOWN", "blob \(digest) is unknown to this repository")
    }

    static func manifestUnknown(_ reference: ManifestReference) -> RegistryError {
        RegistryError(.notFound, "MANIFEST_UNKNOWN", "manifest \(reference) is unknown to this repository")
    }

    static func nameUnknown(_ name: RepositoryName) -> RegistryError {
        RegistryError(.notFound, "NAME_UNKNOWN", "repository \(name) is not known to this registry")
    }

    static func unsupported(_ message: String, status: HTTPResponse.Status = .notFound) -> RegistryError {
        RegistryError(status, "UNSUPPORTED", message)
    }
}

/// Header names the distribution API uses beyond the standard ones.
public enum RegistryHeader {
    public static let apiVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    public static let contentDigest = HTTPField.Name("Docker-Content-Digest")!
    public static let uploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    public static let range = HTTPField.Name("Range")!
    public static let contentRange = HTTPField.Name("Content-Range")!
    public static let ociSubject = HTTPField.Name("OCI-Subject")!
    public static let ociFiltersApplied = HTTPField.Name("OCI-Filters-Applied")!
    public static let ociChunkMinLength = HTTPField.Name("OCI-Chunk-Min-Length")!
    public static let link = HTTPField.Name("Link")!

    /// `Range: 0-<last byte>` as upload status reports it ("0-0" for an empty session, as
    /// Distribution does).
    static func rangeValue(size: Int64) -> String { "0-\(max(0, size - 1))" }
}
