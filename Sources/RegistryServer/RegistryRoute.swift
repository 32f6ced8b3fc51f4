import Foundation
import OCI

/// Which distribution API endpoint a `/v2/…` path names. Repository names contain slashes, so
/// the path is read from its end: the last segments say the endpoint, the rest is the name.
public enum RegistryRoute: Equatable, Sendable {
    case base
    case catalog
    case tags(RepositoryName)
    case manifest(RepositoryName, String)
    case blob(RepositoryName, String)
    case uploads(RepositoryName)
    case upload(RepositoryName, String)
    case referrers(RepositoryName, String)

    /// Parses a request path. Returns nil for paths outside the API; throws `NAME_INVALID` when the
    /// endpoint is recognised but the repository name is not valid.
    public static func parse(_ rawPath: String) throws(OCIError) -> RegistryRoute? {
        guard rawPath.hasPrefix("/v2") else { return nil }
        if rawPath == "/v2" || rawPath == "/v2/" { return .base }
        guard rawPath.hasPrefix("/v2/") else { return nil }
        let path = rawPath.dropFirst(4)
        if path == "_catalog" { return .catalog }
        // Slices of the path, not copies: this runs on every request.
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let n = segments.count
        func name(_ count: Int) throws(OCIError) -> RepositoryName? {
            guard count > 0 else { return nil }
            return try RepositoryName(Self.decode(path[segments[0].startIndex..<segments[count - 1].endIndex]))
        }
        if n >= 3, segments[n - 2] == "tags", segments[n - 1] == "list" {
            return try name(n - 2).map { .tags($0) }
        }
        if n >= 4, segments[n - 3] == "blobs", segments[n - 2] == "uploads" {
            guard let repo = try name(n - 3) else { return nil }
            return segments[n - 1].isEmpty ? .uploads(repo) : .upload(repo, Self.decode(segments[n - 1]))
        }
        if n >= 3, segments[n - 2] == "blobs", segments[n - 1] == "uploads" {
            return try name(n - 2).map { .uploads($0) }
        }
        guard n >= 3, !segments[n - 1].isEmpty else { return nil }
        switch segments[n - 2] {
        case "manifests": return try name(n - 2).map { .manifest($0, Self.decode(segments[n - 1])) }
        case "blobs": return try name(n - 2).map { .blob($0, Self.decode(segments[n - 1])) }
        case "referrers": return try name(n - 2).map { .referrers($0, Self.decode(segments[n - 1])) }
        default: return nil
        }
    }

    private static func decode(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return String(segment).removingPercentEncoding ?? String(segment)
    }
}
