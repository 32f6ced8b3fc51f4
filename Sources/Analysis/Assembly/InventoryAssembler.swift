/// Stacks layer inventories the way a container runtime stacks layers: each layer first deletes
/// what its whiteouts name from the layers below, then adds its own files, replacing the same
/// paths from below. What survives at the top is the image.
///
/// A package keeps the layer that first installed it even when a later layer rewrites the file
/// it is listed in: every `apt-get install` rewrites /var/lib/dpkg/status, and attributing the
/// whole base image to the last layer would make "this came from the base image" unanswerable.
struct InventoryAssembler {
    private struct Placed {
        var package: Package
        var layer: Int
    }

    private var files: [String: [Placed]] = [:]
    private var owned: [String: String] = [:]
    private var osFiles: [String: OSFile] = [:]
    private var errors: [String] = []

    mutating func add(_ inventory: LayerInventory, layer: Int) {
        // What this layer's files replace, for carrying first-seen layers over.
        var replaced: [String: [Placed]] = [:]
        for path in inventory.files.keys { replaced[path] = files[path] }
        removeDeleted(Set(inventory.deleted), opaque: Set(inventory.opaqueDirectories))
        for (path, packages) in inventory.files {
            let earlier = Dictionary((replaced[path] ?? []).map { (Self.identity($0.package), $0.layer) }, uniquingKeysWith: min)
            files[path] = packages.map { Placed(package: $0, layer: earlier[Self.identity($0)] ?? layer) }
        }
        owned.merge(inventory.ownedFiles) { $1 }
        osFiles.merge(inventory.osFiles) { $1 }
        errors += inventory.errors.map { "layer \(layer + 1): \($0)" }
    }

    private static func identity(_ package: Package) -> String {
        "\(package.type.rawValue)|\(package.name)|\(package.version)|\(package.arch ?? "")|\(package.properties["nestedPath"] ?? "")"
    }

    /// The surviving packages with their layer digest and purl, the OS, and per-layer counts.
    func finish(layerDigests: [String]) -> (packages: [Package], os: OSRelease?, perLayer: [Int], errors: [String]) {
        let os = OSDetector.detect(osFiles)
        var perLayer = Array(repeating: 0, count: layerDigests.count)
        var out: [(Package, Int)] = []
        for (path, placed) in files {
            for entry in placed {
                var package = entry.package
                package.layerDigest = layerDigests.indices.contains(entry.layer) ? layerDigests[entry.layer] : nil
                if !package.type.isOSPackage, let owner = owned[path] {
                    package.properties["ownedBy"] = owner
                }
                package.purl = PackageURL.make(package, os: os)
                out.append((package, entry.layer))
            }
        }
        // An application lockfile repeats what is also installed (node_modules next to
        // package-lock.json): keep the installed record, which knows where the files are. And
        // where an application's installed set is known at all, a lock entry that is not in it
        // is not in the image (`composer install --no-dev`, `npm ci --omit=dev`).
        let installed = Set(out.lazy.filter { !LockfileScope.isLockfile($0.0.location) }.map { "\($0.0.type.rawValue)|\($0.0.name)|\($0.0.version)" })
        let knownRoots = Set(out.lazy.compactMap { LockfileScope.installedRoot(of: $0.0) })
        out.removeAll { entry in
            let package = entry.0
            guard LockfileScope.isLockfile(package.location) else { return false }
            return installed.contains("\(package.type.rawValue)|\(package.name)|\(package.version)")
                || knownRoots.contains(LockfileScope.root(type: package.type, directory: ImagePath.parent(package.location)))
        }
        for (_, layer) in out where perLayer.indices.contains(layer) { perLayer[layer] += 1 }
        // Sorted through an index with the keys pulled out once: sorting the packages themselves
        // would copy each large struct on every swap.
        let keys = out.map { ($0.0.type.rank, $0.0.name, $0.0.version, $0.0.location) }
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        let packages = order.map { out[$0].0 }
        return (packages, os, perLayer, errors)
    }

    /// One pass over what lower layers left, however many whiteouts this layer has (a layer can
    /// delete thousands of files one by one): a path goes if it or one of its parents is deleted,
    /// or one of its parents is opaque.
    private mutating func removeDeleted(_ deleted: Set<String>, opaque: Set<String>) {
        guard !deleted.isEmpty || !opaque.isEmpty else { return }
        // Walking a path's parents allocates nothing (UTF-8 offsets, Substring lookups), and a
        // parent is looked up only when some deleted or opaque path has its length.
        let deleted = Set(deleted.map { Substring($0) }), opaque = Set(opaque.map { Substring($0) })
        let lengths = Set(deleted.map(\.utf8.count) + opaque.map(\.utf8.count))
        if deleted.contains("/") || opaque.contains("/") {
            files.removeAll(); owned.removeAll(); osFiles.removeAll()
            return
        }
        func hidden(_ path: String) -> Bool {
            if deleted.contains(Substring(path)) { return true }
            let utf8 = path.utf8
            var end = utf8.endIndex
            while let slash = utf8[..<end].lastIndex(of: UInt8(ascii: "/")), slash != utf8.startIndex {
                if lengths.contains(utf8.distance(from: utf8.startIndex, to: slash)) {
                    let parent = path[..<slash]
                    if deleted.contains(parent) || opaque.contains(parent) { return true }
                }
                end = slash
            }
            return false
        }
        for path in files.keys.filter(hidden) { files[path] = nil }
        for path in owned.keys.filter(hidden) { owned[path] = nil }
        for path in osFiles.keys.filter(hidden) { osFiles[path] = nil }
    }
}
