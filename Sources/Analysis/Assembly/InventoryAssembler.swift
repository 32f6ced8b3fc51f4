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
        "\(package.type)|\(package.name)|\(package.version)|\(package.arch ?? "")|\(package.properties["nestedPath"] ?? "")"
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
        // package-lock.json): keep the installed record, which knows where the files are.
        let installed = Set(out.lazy.filter { !LockfileScope.isLockfile($0.0.location) }.map { "\($0.0.type)|\($0.0.name)|\($0.0.version)" })
        out.removeAll { LockfileScope.isLockfile($0.0.location) && installed.contains("\($0.0.type)|\($0.0.name)|\($0.0.version)") }
        for (_, layer) in out where perLayer.indices.contains(layer) { perLayer[layer] += 1 }
        let packages = out.map(\.0).sorted { a, b in
            if a.type != b.type { return a.type < b.type }
            if a.name != b.name { return a.name < b.name }
            if a.version != b.version { return a.version < b.version }
            return a.location < b.location
        }
        return (packages, os, perLayer, errors)
    }

    /// One pass over what lower layers left, however many whiteouts this layer has (a layer can
    /// delete thousands of files one by one): a path goes if it or one of its parents is deleted,
    /// or one of its parents is opaque.
    private mutating func removeDeleted(_ deleted: Set<String>, opaque: Set<String>) {
        guard !deleted.isEmpty || !opaque.isEmpty else { return }
        func hidden(_ path: String) -> Bool {
            if deleted.contains(path) { return true }
            var parent = ImagePath.parent(path)
            while true {
                if deleted.contains(parent) || opaque.contains(parent) { return true }
                if parent == "/" { return false }
                parent = ImagePath.parent(parent)
            }
        }
        files = files.filter { !hidden($0.key) }
        owned = owned.filter { !hidden($0.key) }
        osFiles = osFiles.filter { !hidden($0.key) }
    }
}
