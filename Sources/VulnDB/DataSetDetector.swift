import Foundation

/// Finds the data sets in a tree by their layout and content, not by directory names.
///
/// Every directory that directly holds record-looking files is classified by sniffing a few of
/// them (each importer's `recognizes(file:)`). A data set is then the topmost directory whose
/// classified descendants all share one format; from there it descends through wrapper
/// directories (no records, no LICENSE, exactly one child with records, which is licensed or
/// not generically named like `osv/`) so that e.g. `pypi/pypa-advisory-database` rather than
/// `pypi` is returned.
public enum DataSetDetector {
    public static let advisoryImporters: [any AdvisoryImporter.Type] = [
        OSVImporter.self, RubySecImporter.self, FriendsOfPHPImporter.self, NodeSecurityWGImporter.self,
        VictimsImporter.self, AlpineSecDBImporter.self, DebianTrackerImporter.self, AmazonLinuxImporter.self,
    ]
    public static let enrichmentImporters: [any EnrichmentImporter.Type] = [CISAKEVImporter.self, CVE5Importer.self]

    /// Both kinds of data set from one walk of the tree (detection reads sample files, so walking
    /// once is cheaper than calling `detect` and `detectEnrichment`).
    public static func scan(root: URL) -> (advisories: [(URL, any AdvisoryImporter.Type)],
                                           enrichment: [(URL, any EnrichmentImporter.Type)]) {
        let sets = datasets(root: root, formats: classify(root: root))
        return (sets.compactMap { url, format in advisoryImporters.first { $0.format == format }.map { (url, $0) } },
                sets.compactMap { url, format in enrichmentImporters.first { $0.format == format }.map { (url, $0) } })
    }

    public static func detect(root: URL) -> [(URL, any AdvisoryImporter.Type)] {
        let formats = classify(root: root)
        return datasets(root: root, formats: formats).compactMap { url, format in
            advisoryImporters.first { $0.format == format }.map { (url, $0) }
        }
    }

    public static func detectEnrichment(root: URL) -> [(URL, any EnrichmentImporter.Type)] {
        let formats = classify(root: root)
        return datasets(root: root, formats: formats).compactMap { url, format in
            enrichmentImporters.first { $0.format == format }.map { (url, $0) }
        }
    }

    private struct DirInfo {
        var format: String?
        var children: [URL] = []
        var hasLicense = false
    }

    /// Per directory path: its own format (from its direct files) and its subdirectories.
    private static func classify(root: URL) -> [String: DirInfo] {
        var infos: [String: DirInfo] = [:]
        let sniffers: [(String, (URL, String) -> Bool)] =
            advisoryImporters.map { t in (t.format, { t.recognizes(file: $0, head: $1) }) }
            + enrichmentImporters.map { t in (t.format, { t.recognizes(file: $0, head: $1) }) }
        var stack: [(URL, Int)] = [(root.standardizedFileURL, 0)]
        while let (dir, depth) = stack.popLast() {
            var info = DirInfo()
            var files: [URL] = []
            for (item, isDir) in FileWalker.entries(of: dir) {
                if isDir {
                    info.children.append(item.standardizedFileURL)
                    if depth < 16 { stack.append((item, depth + 1)) }
                } else {
                    let name = item.lastPathComponent.lowercased()
                    if name.hasPrefix("license") || name == "copying" { info.hasLicense = true }
                    if ["json", "yaml", "yml", "xml"].contains(item.pathExtension.lowercased()) || name == "json" {
                        if !FileWalker.isAuxiliaryFile(item) { files.append(item) }
                    }
                }
            }
            if !files.isEmpty {
                // Sniff up to three files spread over the directory; the most frequent verdict wins.
                let picks = files.count <= 3 ? files : [files[0], files[files.count / 2], files[files.count - 1]]
                var votes: [String: Int] = [:]
                for f in picks {
                    guard let head = FileWalker.head(f, bytes: FileWalker.sniffBytes) else { continue }
                    if let hit = sniffers.first(where: { $0.1(f, head) }) { votes[hit.0, default: 0] += 1 }
                }
                info.format = votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
            }
            infos[dir.path] = info
        }
        return infos
    }

    private static func datasets(root: URL, formats infos: [String: DirInfo]) -> [(URL, String)] {
        var subtree: [String: Set<String>] = [:]
        func formatsBelow(_ path: String) -> Set<String> {
            if let s = subtree[path] { return s }
            guard let info = infos[path] else { return [] }
            var s: Set<String> = info.format.map { [$0] } ?? []
            for c in info.children { s.formUnion(formatsBelow(c.path)) }
            subtree[path] = s
            return s
        }
        var out: [(URL, String)] = []
        func visit(_ url: URL) {
            let path = url.path
            let formats = formatsBelow(path)
            if formats.isEmpty { return }
            if formats.count == 1, let format = formats.first {
                var u = url
                while let info = infos[u.path], info.format == nil, !info.hasLicense {
                    let withRecords = info.children.filter { !formatsBelow($0.path).isEmpty }
                    guard withRecords.count == 1 else { break }
                    let child = withRecords[0]
                    // Step into a licensed child (the upstream repository) or a non-generic name;
                    // stay above generic record folders such as `osv/` or `vulns/`.
                    let childLicensed = infos[child.path]?.hasLicense ?? false
                    guard childLicensed || !DataSetNaming.genericNames.contains(child.lastPathComponent.lowercased()) else { break }
                    u = child
                }
                out.append((u, format))
                return
            }
            for c in infos[path]?.children ?? [] { visit(c) }
        }
        visit(root.standardizedFileURL)
        return out.sorted { $0.0.path < $1.0.path }
    }
}
