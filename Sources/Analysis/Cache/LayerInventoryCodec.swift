/// The layer cache's on-disk encoding: a compact length-prefixed binary form of `LayerInventory`.
///
/// Why not JSON: a warm re-analysis does nothing but read these entries, and Foundation's
/// JSONDecoder spent most of that time building the keyed containers for thousands of packages.
/// This form is read in one pass over the bytes with no intermediate objects. The entry is ours
/// (written by this process family, renamed into place), but it is still read defensively: any
/// inconsistency makes `decode` return nil, which the cache treats as a miss and overwrites.
enum LayerInventoryCodec {
    /// First bytes of every entry; the trailing byte is `LayerInventory.formatVersion`.
    static let magic: [UInt8] = Array("DDLI".utf8) + [UInt8(LayerInventory.formatVersion)]

    static func encode(_ inventory: LayerInventory) -> [UInt8] {
        var w = Writer()
        w.bytes.append(contentsOf: magic)
        w.string(inventory.diffID)
        w.int(inventory.entryCount)
        w.int(Int(inventory.uncompressedSize))
        w.int(inventory.files.count)
        for (path, packages) in inventory.files.sorted(by: { $0.key < $1.key }) {
            w.string(path)
            w.int(packages.count)
            for package in packages { w.package(package) }
        }
        w.stringMap(inventory.ownedFiles)
        w.int(inventory.osFiles.count)
        for (path, file) in inventory.osFiles.sorted(by: { $0.key < $1.key }) {
            w.string(path)
            switch file {
            case .content(let text): w.bytes.append(0); w.string(text)
            case .symlink(let target): w.bytes.append(1); w.string(target)
            }
        }
        w.strings(inventory.deleted)
        w.strings(inventory.opaqueDirectories)
        w.strings(inventory.errors)
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) -> LayerInventory? {
        bytes.withUnsafeBufferPointer { buffer -> LayerInventory? in
            var r = Reader(buffer: buffer)
            guard buffer.count >= magic.count, Array(buffer[0..<magic.count]) == magic else { return nil }
            r.offset = magic.count
            guard let diffID = r.string() else { return nil }
            var inventory = LayerInventory(diffID: diffID)
            guard let entries = r.int(), let size = r.int(), let fileCount = r.count() else { return nil }
            inventory.entryCount = entries
            inventory.uncompressedSize = Int64(size)
            inventory.files.reserveCapacity(fileCount)
            for _ in 0..<fileCount {
                guard let path = r.string(), let count = r.count() else { return nil }
                var packages: [Package] = []
                packages.reserveCapacity(count)
                for _ in 0..<count {
                    guard let package = r.package() else { return nil }
                    packages.append(package)
                }
                inventory.files[path] = packages
            }
            guard let owned = r.stringMap(), let osCount = r.count() else { return nil }
            inventory.ownedFiles = owned
            for _ in 0..<osCount {
                guard let path = r.string(), let kind = r.byte(), let value = r.string() else { return nil }
                switch kind {
                case 0: inventory.osFiles[path] = .content(value)
                case 1: inventory.osFiles[path] = .symlink(value)
                default: return nil
                }
            }
            guard let deleted = r.strings(), let opaque = r.strings(), let errors = r.strings(), r.offset == buffer.count
            else { return nil }
            inventory.deleted = deleted
            inventory.opaqueDirectories = opaque
            inventory.errors = errors
            return inventory
        }
    }

    // MARK: Writing

    struct Writer {
        var bytes: [UInt8] = []

        /// LEB128 varint: most numbers here (lengths, counts) fit one byte.
        mutating func int(_ value: Int) {
            var v = UInt64(bitPattern: Int64(value))
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { utf8 in
                int(utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }

        /// nil is length 0 with a flag byte before it, so "" and nil stay distinct.
        mutating func optional(_ s: String?) {
            if let s { bytes.append(1); string(s) } else { bytes.append(0) }
        }

        mutating func strings(_ list: [String]) {
            int(list.count)
            for s in list { string(s) }
        }

        mutating func stringMap(_ map: [String: String]) {
            int(map.count)
            for (key, value) in map.sorted(by: { $0.key < $1.key }) { string(key); string(value) }
        }

        mutating func package(_ p: Package) {
            bytes.append(UInt8(PackageType.allCases.firstIndex(of: p.type)!))
            string(p.name)
            string(p.version)
            optional(p.sourceName)
            optional(p.sourceVersion)
            optional(p.arch)
            strings(p.licenses)
            string(p.location)
            stringMap(p.properties)
            optional(p.layerDigest)
            optional(p.purl)
        }
    }

    // MARK: Reading

    struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset = 0

        mutating func byte() -> UInt8? {
            guard offset < buffer.count else { return nil }
            defer { offset += 1 }
            return buffer[offset]
        }

        mutating func int() -> Int? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64 {
                guard let b = byte() else { return nil }
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return Int(Int64(bitPattern: result)) }
                shift += 7
            }
            return nil
        }

        /// A count or length: never negative and never more than the bytes left (each element
        /// takes at least one byte), so a corrupt entry cannot ask for a huge allocation.
        mutating func count() -> Int? {
            guard let n = int(), n >= 0, n <= buffer.count - offset else { return nil }
            return n
        }

        mutating func string() -> String? {
            guard let n = count() else { return nil }
            defer { offset += n }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[offset..<offset + n]), as: UTF8.self)
        }

        mutating func optional() -> String?? {
            switch byte() {
            case 0: return .some(nil)
            case 1: return string().map { .some($0) }
            default: return nil
            }
        }

        mutating func strings() -> [String]? {
            guard let n = count() else { return nil }
            var list: [String] = []
            list.reserveCapacity(n)
            for _ in 0..<n {
                guard let s = string() else { return nil }
                list.append(s)
            }
            return list
        }

        mutating func stringMap() -> [String: String]? {
            guard let n = count() else { return nil }
            var map: [String: String] = [:]
            map.reserveCapacity(n)
            for _ in 0..<n {
                guard let key = string(), let value = string() else { return nil }
                map[key] = value
            }
            return map
        }

        /// Moves past a string without building it.
        mutating func skipString() -> Bool {
            guard let n = count() else { return false }
            offset += n
            return true
        }

        mutating func skipOptional() -> Bool {
            switch byte() {
            case 0: return true
            case 1: return skipString()
            default: return false
            }
        }

        /// The next package if `wanted` says so given its type, name and source name (read
        /// first); otherwise moves past it without building its other fields. `.none` on a
        /// corrupt entry, `.some(nil)` for a package passed over.
        mutating func package(if wanted: (PackageType, String, String?) -> Bool) -> Package?? {
            let start = offset
            guard let typeIndex = byte(), Int(typeIndex) < PackageType.allCases.count,
                  let name = string(), skipString(), let sourceName = optional() else { return nil }
            guard wanted(PackageType.allCases[Int(typeIndex)], name, sourceName) else {
                guard skipOptional(), skipOptional(), let licenses = count() else { return nil }
                for _ in 0..<licenses { guard skipString() else { return nil } }
                guard skipString(), let entries = count() else { return nil }
                for _ in 0..<entries { guard skipString(), skipString() else { return nil } }
                guard skipOptional(), skipOptional() else { return nil }
                return .some(nil)
            }
            offset = start
            return package().map { .some($0) }
        }

        mutating func package() -> Package? {
            guard let typeIndex = byte(), Int(typeIndex) < PackageType.allCases.count,
                  let name = string(), let version = string(),
                  let sourceName = optional(), let sourceVersion = optional(), let arch = optional(),
                  let licenses = strings(), let location = string(), let properties = stringMap(),
                  let layerDigest = optional(), let purl = optional()
            else { return nil }
            var p = Package(type: PackageType.allCases[Int(typeIndex)], name: name, version: version,
                            sourceName: sourceName, sourceVersion: sourceVersion, arch: arch, licenses: licenses,
                            location: location, properties: properties, layerDigest: layerDigest)
            p.purl = purl
            return p
        }
    }
}
