/// Stacks layer inventories the way a container runtime stacks layers: each layer first deletes
/// what its whiteouts name from the layers below, then adds its own files, replacing the same
/// paths from below. What survives at the top is the image.
struct InventoryAssembler {
    private struct Placed {
        var layer: Int
        var packages: [Package]
    }

    private var files: [String: Placed] = [:]
    private var owned: [String: String] = [:]
    private var osFiles: [String: OSFile] = [:]
    private var errors: [String] = []

    mutating func add(_ inventory: LayerInventory, layer: Int) {
        for path in inventory.deleted { remove(within: path) }
        for directory in inventory.opaqueDirectories { remove(below: directory) }
        for (path, packages) in inventory.files { files[path] = Placed(layer: layer, packages: packages) }
        owned.merge(inventory.ownedFiles) { $1 }
        osFiles.merge(inventory.osFiles) { $1 }
        errors += inventory.errors.map { "layer \(layer + 1): \($0)" }
    }

    /// The surviving packages with their layer digest and purl, the OS, and per-layer counts.
    func finish(layerDigests: [String]) -> (packages: [Package], os: OSRelease?, perLayer: [Int], errors: [String]) {
        let os = OSDetector.detect(osFiles)
        var perLayer = Array(repeating: 0, count: layerDigests.count)
        var out: [Package] = []
        for (path, placed) in files {
            for var package in placed.packages {
                package.layerDigest = layerDigests.indices.contains(placed.layer) ? layerDigests[placed.layer] : nil
                if !package.type.isOSPackage, let owner = owned[path] {
                    package.properties["ownedBy"] = owner
                }
                package.purl = PackageURL.make(package, os: os)
                perLayer[placed.layer] += 1
                out.append(package)
            }
        }
        // An application lockfile repeats what is also installed (node_modules next to
        // package-lock.json): keep the installed record, which knows where the files are.
        let installed = Set(out.lazy.filter { !LockfileScope.isLockfile($0.location) }.map { "\($0.type)|\($0.name)|\($0.version)" })
        out.removeAll { LockfileScope.isLockfile($0.location) && installed.contains("\($0.type)|\($0.name)|\($0.version)") }
        out.sort { a, b in
            if a.type != b.type { return a.type < b.type }
            if a.name != b.name { return a.name < b.name }
            if a.version != b.version { return a.version < b.version }
            return a.location < b.location
        }
        return (out, os, perLayer, errors)
    }

    private mutating func remove(within path: String) {
        files = files.filter { !ImagePath.isWithin($0.key, path) }
        owned = owned.filter { !ImagePath.isWithin($0.key, path) }
        osFiles = osFiles.filter { !ImagePath.isWithin($0.key, path) }
    }

    /// An opaque directory keeps itself but hides everything the lower layers put below it.
    private mutating func remove(below directory: String) {
        files = files.filter { !ImagePath.isWithin($0.key, directory) || $0.key == directory }
        owned = owned.filter { !ImagePath.isWithin($0.key, directory) || $0.key == directory }
        osFiles = osFiles.filter { !ImagePath.isWithin($0.key, directory) || $0.key == directory }
    }
}
