import Foundation
import Hummingbird
import HTTPTypes
import Access
import Logging
import NIOCore
import OCI
import RegistryStorage

/// The OCI distribution v1.1 API as one responder: it reads the route from the path (repository
/// names contain slashes, which a trie router cannot express) and dispatches on method.
public struct RegistryAPI: HTTPResponder {
    public typealias Context = RegistryRequestContext

    let store: RegistryStore

    public init(store: RegistryStore) {
        self.store = store
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var response: Response
        do {
            response = try await route(request, context: context)
        } catch let error as RegistryError {
            response = try error.response(from: request, context: context)
        } catch let error as OCIError {
            response = try RegistryError.from(error).response(from: request, context: context)
        } catch let error as StorageError {
            if error.code == .io || error.code == .corrupt {
                context.logger.error("storage failure", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            response = try RegistryError.from(error).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            response = try RegistryError(.internalServerError, "UNKNOWN", "internal error; see the server log")
                .response(from: request, context: context)
        }
        response.headers[RegistryHeader.apiVersion] = "registry/2.0"
        // HTTP/1.0 clients (ApacheBench, some proxies) keep a connection open only when the
        // response says so; for HTTP/1.1 the header is redundant and harmless.
        if request.headers.first(.connection)?.lowercased() == "keep-alive" {
            response.headers[.connection] = "keep-alive"
        }
        return response
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        guard let route = try context.route ?? RegistryRoute.parse(request.uri.path) else {
            throw RegistryError.unsupported("no such endpoint: \(request.uri.path.prefix(200))")
        }
        let method = request.method
        switch route {
        case .base:
            guard method == .get || method == .head else { throw methodNotAllowed(method) }
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "2"],
                            body: method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        case .catalog:
            guard method == .get else { throw methodNotAllowed(method) }
            return try await catalog(request, filter: context.catalogFilter)
        case .tags(let name):
            guard method == .get else { throw methodNotAllowed(method) }
            return try await tags(request, name: name)
        case .referrers(let name, let digest):
            guard method == .get else { throw methodNotAllowed(method) }
            return try await referrers(request, name: name, digest: try Digest(digest))
        case .manifest(let name, let text):
            let reference = try Self.manifestReference(text, method: method)
            switch method {
            case .get, .head: return try await getManifest(request, name: name, reference: reference,
                                                            recordPull: Self.countsAsPull(request, context: context),
                                                            channel: context.channel)
            case .put: return try await putManifest(request, name: name, reference: reference)
            case .delete: return try await deleteManifest(name: name, reference: reference)
            default: throw methodNotAllowed(method)
            }
        case .blob(let name, let digest):
            let digest = try Digest(digest)
            switch method {
            case .get, .head: return try await getBlob(request, name: name, digest: digest, channel: context.channel)
            case .delete: return try await deleteBlob(name: name, digest: digest)
            default: throw methodNotAllowed(method)
            }
        case .uploads(let name):
            guard method == .post else { throw methodNotAllowed(method) }
            return try await startUpload(request, name: name, mountRefused: context.mountRefused)
        case .upload(let name, let id):
            switch method {
            case .get: return try await uploadStatus(name: name, id: id)
            case .patch: return try await patchUpload(request, name: name, id: id)
            case .put: return try await finishUpload(request, name: name, id: id)
            case .delete: return try await cancelUpload(name: name, id: id)
            default: throw methodNotAllowed(method)
            }
        }
    }

    /// The reference of a manifest request. No manifest can have a tag the grammar forbids, so
    /// reading one is "unknown", as Distribution and the conformance suite expect; writing one
    /// stays TAG_INVALID.
    static func manifestReference(_ text: String, method: HTTPRequest.Method) throws -> ManifestReference {
        if let reference = try? ManifestReference(text) { return reference }
        if (method == .get || method == .head) && !text.utf8.contains(UInt8(ascii: ":")) {
            throw RegistryError(.notFound, "MANIFEST_UNKNOWN", "manifest \(text.prefix(128)) is unknown to this repository")
        }
        return try ManifestReference(text)
    }

    func methodNotAllowed(_ method: HTTPRequest.Method) -> RegistryError {
        RegistryError.unsupported("\(method.rawValue) is not supported on this endpoint", status: .methodNotAllowed)
    }

    /// A response with no body and the given headers (most upload and delete answers).
    func empty(_ status: HTTPResponse.Status, _ headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentLength] = "0"
        return Response(status: status, headers: headers, body: ResponseBody())
    }

    func json(_ value: some Encodable, contentType: String = "application/json", headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let bytes = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = headers
        headers[.contentType] = contentType
        headers[.contentLength] = String(bytes.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Whether a manifest GET counts for the "pulled in the last 30 days" window: not when it is
    /// Drydock's own service reading (the defender). Without access control nobody is
    /// authenticated, so the defender is known by its user agent there — which anyone could send,
    /// but without access control anyone may do anything anyway.
    static func countsAsPull(_ request: Request, context: RegistryRequestContext) -> Bool {
        if let identity = context.identity, identity.kind == .service { return false }
        // Another Drydock's defender scanning this registry as an ordinary user.
        return !(request.headers.first(.userAgent)?.hasPrefix("drydock-defender") ?? false)
    }
}
