/// Path handling for names inside layer tars, which are untrusted: "./usr/bin", "usr/bin/",
/// "/etc/../etc/passwd", "../../escape" all occur in the wild or in attacks.
enum ImagePath {
    /// An absolute, normalised path ("/usr/bin"); ".." never climbs above "/". The root itself is "/".
    static func normalise(_ name: String) -> String {
        var parts: [Substring] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func lastComponent(_ path: String) -> Substring {
        guard let slash = path.lastIndex(of: "/") else { return Substring(path) }
        return path[path.index(after: slash)...]
    }

    /// Whether `path` is `directory` itself or lies below it.
    static func isWithin(_ path: String, _ directory: String) -> Bool {
        if directory == "/" { return true }
        guard path.hasPrefix(directory) else { return false }
        return path.count == directory.count || path[path.index(path.startIndex, offsetBy: directory.count)] == "/"
    }

    /// Resolves a symlink target relative to the link's directory.
    static func resolve(_ target: String, from link: String) -> String {
        target.hasPrefix("/") ? normalise(target) : normalise(parent(link) + "/" + target)
    }
}
