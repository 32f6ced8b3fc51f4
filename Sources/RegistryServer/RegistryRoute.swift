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
        let raw = rawPath.utf8
        guard raw.starts(with: "/v2".utf8) else { return nil }
        if raw.count == 3 || (raw.count == 4 && raw.last == slash) { return .base }
        guard raw.starts(with: "/v2/".utf8) else { return nil }
        // Runs on every request, so the path is read as bytes and only its last three segments
        // are located (the endpoint is at the end; everything before is the repository name):
        // splitting it into Character-compared substrings was a visible part of a small request.
        let path = Substring(raw.dropFirst(4))  // four bytes: a Character could be more ("/" + a combining mark)
        let bytes = path.utf8
        if bytes.elementsEqual("_catalog".utf8) { return .catalog }
        guard let lastSlash = bytes.lastIndex(of: slash) else { return nil }
        let last = path[bytes.index(after: lastSlash)...]
        guard let secondSlash = bytes[..<lastSlash].lastIndex(of: slash) else { return nil }  // fewer than 3 segments
        let second = path[bytes.index(after: secondSlash)..<lastSlash]
        let thirdSlash = bytes[..<secondSlash].lastIndex(of: slash)
        func name(endingAt end: String.Index) throws(OCIError) -> RepositoryName {
            try RepositoryName(Self.decode(path[..<end]))
        }
        func named(_ segment: Substring, _ word: String) -> Bool { segment.utf8.elementsEqual(word.utf8) }

        if named(second, "tags"), named(last, "list") {
            return .tags(try name(endingAt: secondSlash))
        }
        if let thirdSlash, named(path[bytes.index(after: thirdSlash)..<secondSlash], "blobs"), named(second, "uploads") {
            let repo = try name(endingAt: thirdSlash)
            return last.isEmpty ? .uploads(repo) : .upload(repo, Self.decode(last))
        }
        if named(second, "blobs"), named(last, "uploads") {
            return .uploads(try name(endingAt: secondSlash))
        }
        guard !last.isEmpty else { return nil }
        if named(second, "manifests") { return .manifest(try name(endingAt: secondSlash), Self.decode(last)) }
        if named(second, "blobs") { return .blob(try name(endingAt: secondSlash), Self.decode(last)) }
        if named(second, "referrers") { return .referrers(try name(endingAt: secondSlash), Self.decode(last)) }
        return nil
    }

    private static let slash = UInt8(ascii: "/")

    private static func decode(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return String(segment).removingPercentEncoding ?? String(segment)
    }
}
