import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import OCI
import RegistryStorage

extension RegistryAPI {
    /// `{"name":…,"tags":[…]}` / `{"repositories":[…]}` written directly: names and tags are
    /// validated against grammars without characters JSON must escape, and a 10,000-tag list is
    /// built several times faster than through JSONEncoder.
    func listing(key: String, values: [String], name: String?, headers: HTTPFields) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + values.reduce(0) { $0 + $1.utf8.count + 3 })
        buffer.writeString("{")
        if let name { buffer.writeString("\"name\":\"\(name)\",") }
        buffer.writeString("\"\(key)\":[")
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.writeString(",") }
            buffer.writeString("\"")
            buffer.writeString(value)
            buffer.writeString("\"")
        }
        buffer.writeString("]}")
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// `n` and `last` of a paginated listing; without `n` everything is returned.
    func page(_ request: Request) throws -> (limit: Int?, last: String?) {
        let query = request.uri.queryParameters
        var limit: Int?
        if let n = query["n"] {
            guard let value = Int(n), value >= 0 else {
                throw RegistryError(.badRequest, "PAGINATION_NUMBER_INVALID", "n must be a non-negative integer")
            }
            // Larger pages are served as 100,000 with a Link to the rest, as the spec allows.
            limit = min(value, 100_000)
        }
        return (limit, query["last"].map(String.init))
    }

    /// Fetches one more than asked so we know whether to send a `Link` to the next page.
    func paginate(path: String, limit: Int?, fetch: (Int) async throws -> [String]) async throws -> ([String], HTTPFields) {
        guard let limit else { return (try await fetch(Int(Int32.max)), [:]) }
        guard limit > 0 else { return ([], [:]) }
        var items = try await fetch(limit + 1)
        var headers: HTTPFields = [:]
        if items.count > limit {
            items.removeLast(items.count - limit)
            let last = items.last?.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            headers[RegistryHeader.link] = "<\(path)?n=\(limit)&last=\(last)>; rel=\"next\""
        }
        return (items, headers)
    }

    func tags(_ request: Request, name: RepositoryName) async throws -> Response {
        let (limit, last) = try page(request)
        guard try await store.metadata.repositoryExists(name.value) else { throw RegistryError.nameUnknown(name) }
        let (tags, headers) = try await paginate(path: "/v2/\(name)/tags/list", limit: limit) {
            try await store.metadata.tags(repository: name.value, after: last, limit: $0)
        }
        return listing(key: "tags", values: tags, name: name.value, headers: headers)
    }

    func catalog(_ request: Request, filter: (@Sendable (String) -> Bool)? = nil) async throws -> Response {
        let (limit, last) = try page(request)
        let (names, headers) = try await paginate(path: "/v2/_catalog", limit: limit) { wanted in
            guard let filter else { return try await store.metadata.repositories(after: last, limit: wanted) }
            // Only repositories the caller may see: read pages until enough visible names are found.
            var visible: [String] = []
            var cursor = last
            while visible.count < wanted {
                let batch = try await store.metadata.repositories(after: cursor, limit: 1000)
                visible += batch.filter(filter)
                guard batch.count == 1000, let next = batch.last else { break }
                cursor = next
            }
            return Array(visible.prefix(wanted))
        }
        return listing(key: "repositories", values: names, name: nil, headers: headers)
    }

    /// The referrers API: an image index of the manifests whose `subject` is `digest`, optionally
    /// filtered by `artifactType`.
    func referrers(_ request: Request, name: RepositoryName, digest: Digest) async throws -> Response {
        var records = try await store.metadata.referrers(repository: name.value, subject: digest)
        var headers: HTTPFields = [:]
        if let filter = request.uri.queryParameters["artifactType"].map(String.init), !filter.isEmpty {
            records = records.filter { $0.artifactType == filter }
            headers[RegistryHeader.ociFiltersApplied] = "artifactType"
        }
        let descriptors = records.map {
            Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size,
                       annotations: $0.annotations, artifactType: $0.artifactType)
        }
        return json(ImageIndex(manifests: descriptors), contentType: MediaType.ociIndex, headers: headers)
    }
}
