import Foundation

/// Reads one layer blob as it streams in — decompression, tar, whiteouts — hands the files the
/// analyzers want to them, and produces the layer's `LayerInventory`.
///
/// Use: call `consume` with each chunk of the blob, then `runPending` (the analyzers are async,
/// the parsing is not), and `finish` at the end.
final class LayerWalker: TarEntrySink {
    /// A bound of `AnalysisLimits` was reached: reading stops, and `finishPartial` reports what
    /// was found so far.
    struct BoundReached: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    private let label: String
    private let analyzers: [any Analyzer]
    private let limits: AnalysisLimits
    private let budget: ImageBudget
    private var inventory: LayerInventory
    private var decompressor: (any StreamDecompressor)?
    private var prefix: [UInt8] = []
    private var parser: TarStreamParser!

    /// The file being read, when some analyzer wants it.
    private var current: (header: FileHeader, wanting: [Int], buffer: Data?, spill: FileHandle?, spillURL: URL?)?
    /// The OS identification file being read.
    private var currentOSFile: (path: String, bytes: [UInt8])?
    /// Complete wanted files waiting for `runPending`.
    private var pending: [(header: FileHeader, wanting: [Int], content: FileContent)] = []
    /// Wanted regular files of this layer (size, and the analyzers that wanted them as a bit set),
    /// so that a later hard link to one of them can be given the same findings.
    private var wantedFiles: [String: (size: Int64, analyzers: UInt64?)] = [:]
    /// Hard links whose own path some analyzer wants: resolved in `finish`, once the target's
    /// findings exist (a tar hard link always names a file earlier in the same archive).
    private var hardLinks: [(path: String, target: String)] = []
    private var tempDirectory: URL?

    /// - Parameter budget: the image's bounds, shared by its layers (a layer read alone gets its own).
    init(label: String, diffID: String, analyzers: [any Analyzer], limits: AnalysisLimits, budget: ImageBudget? = nil) {
        self.label = label
        self.analyzers = analyzers
        self.limits = limits
        self.budget = budget ?? ImageBudget(limits: limits)
        self.inventory = LayerInventory(diffID: diffID)
        self.parser = TarStreamParser(sink: self)
    }

    deinit {
        removeTemporaryFiles()
    }

    private func removeTemporaryFiles() {
        try? current?.spill?.close()
        if let tempDirectory { try? FileManager.default.removeItem(at: tempDirectory) }
        tempDirectory = nil
    }

    /// Feeds the next chunk of the (possibly compressed) blob.
    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        do {
            if let decompressor {
                try decompressor.feed(chunk, decompressed)
                return
            }
            // The compression is recognised from the first four bytes.
            prefix.append(contentsOf: chunk)
            guard prefix.count >= 4 else { return }
            let detected = try prefix.withUnsafeBytes { try LayerCompression.detect($0).makeDecompressor() }
            decompressor = detected
            let buffered = prefix
            prefix = []
            try buffered.withUnsafeBytes { try detected.feed($0, decompressed) }
        } catch let error as AnalysisError {
            throw AnalysisError.badLayer(label, error.description)
        }
    }

    private func decompressed(_ bytes: UnsafeRawBufferPointer) throws {
        inventory.uncompressedSize += Int64(bytes.count)
        let size = inventory.uncompressedSize
        // No ratio rule: gigabytes of zeros are a sparse file, read past at inflate speed. What
        // bounds the work is the bytes and the time, per layer and per image.
        if size > limits.maxLayerSize {
            throw BoundReached(reason: "the layer uncompresses to more than \(limits.maxLayerSize) bytes")
        }
        if let reason = budget.spend(bytes.count) ?? budget.timeUp() { throw BoundReached(reason: reason) }
        try parser.consume(bytes)
    }

    /// Runs the analyzers over the files completed so far.
    func runPending() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        for file in batch {
            var packages: [Package] = []
            for index in file.wanting {
                do {
                    let findings = try await analyzers[index].analyze(file.header, file.content)
                    packages.append(contentsOf: findings.packages)
                    for (path, owner) in findings.ownedFiles where isWanted(path) {
                        inventory.ownedFiles[path] = owner
                    }
                } catch {
                    inventory.errors.append("\(file.header.path): \(analyzers[index].name): \(error)")
                }
            }
            inventory.files[file.header.path, default: []].append(contentsOf: packages)
            if case .file(let url) = file.content { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// Ends the layer: checks it was complete and returns what was found.
    func finish() async throws -> LayerInventory {
        do {
            if decompressor == nil, !prefix.isEmpty {
                let detected = try prefix.withUnsafeBytes { try LayerCompression.detect($0).makeDecompressor() }
                try prefix.withUnsafeBytes { try detected.feed($0, decompressed) }
                decompressor = detected
            }
            try decompressor?.finish()
            try parser.finish()
        } catch let error as AnalysisError {
            throw AnalysisError.badLayer(label, error.description)
        }
        await runPending()
        resolveHardLinks()
        removeTemporaryFiles()
        inventory.errors.sort()
        return inventory
    }

    /// Ends a layer whose reading stopped at a bound: the files read completely are analysed,
    /// and the inventory says it is incomplete and why.
    func finishPartial(_ reason: String) async -> LayerInventory {
        // The file being read when the bound was reached is not complete: not analysed.
        try? current?.spill?.close()
        current = nil
        currentOSFile = nil
        await runPending()
        resolveHardLinks()
        removeTemporaryFiles()
        inventory.incomplete = reason
        inventory.errors.sort()
        return inventory
    }

    private func isWanted(_ path: String) -> Bool {
        let header = FileHeader(path: path, size: 0)
        return analyzers.contains { $0.wants(header) }
    }

    // MARK: TarEntrySink

    func begin(_ entry: TarEntry) throws -> Bool {
        inventory.entryCount += 1
        guard inventory.entryCount <= limits.maxEntries else {
            throw BoundReached(reason: "the layer has more than \(limits.maxEntries) entries")
        }
        let path = ImagePath.normalise(entry.name)
        let name = ImagePath.lastComponent(path)
        if name.hasPrefix(".wh.") {
            recordWhiteout(path: path, name: name)
            return false
        }
        if OSDetector.wantedPaths.contains(path) {
            switch entry.kind {
            case .symlink:
                inventory.osFiles[path] = .symlink(ImagePath.resolve(entry.linkName, from: path))
            case .hardlink:
                // Same content as the target, which resolves like a symlink to an absolute path.
                inventory.osFiles[path] = .symlink(ImagePath.normalise(entry.linkName))
            case .file where entry.size <= OSDetector.maxFileSize:
                currentOSFile = (path, [])
                return true
            default:
                break
            }
            return false
        }
        if entry.kind == .hardlink {
            noteHardLink(path: path, entry: entry)
            return false
        }
        guard entry.kind == .file else { return false }
        let header = FileHeader(path: path, size: entry.size, mode: entry.mode)
        let wanting = analyzers.indices.filter { analyzers[$0].wants(header) }
        guard !wanting.isEmpty else { return false }
        wantedFiles[path] = (entry.size, Self.bitSet(wanting))
        guard entry.size <= limits.maxAnalysedFile else {
            inventory.errors.append("\(path): \(entry.size) bytes is above the \(limits.maxAnalysedFile)-byte analysis limit")
            return false
        }
        if entry.size > limits.maxInMemoryFile {
            let url = try spillURL()
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: url.path) else {
                throw AnalysisError.unsupported("cannot create a temporary file in \(url.deletingLastPathComponent().path)")
            }
            current = (header, wanting, nil, handle, url)
        } else {
            var buffer = Data()
            buffer.reserveCapacity(Int(entry.size))
            current = (header, wanting, buffer, nil, nil)
        }
        return true
    }

    func data(_ bytes: UnsafeRawBufferPointer) throws {
        if currentOSFile != nil {
            currentOSFile!.bytes.append(contentsOf: bytes)
            return
        }
        guard current != nil else { return }
        if let spill = current!.spill {
            try spill.write(contentsOf: Data(bytes))
        } else {
            current!.buffer!.append(contentsOf: bytes)
        }
    }

    func end() throws {
        if let file = currentOSFile {
            inventory.osFiles[file.path] = .content(String(decoding: file.bytes, as: UTF8.self))
            currentOSFile = nil
            return
        }
        guard let file = current else { return }
        current = nil
        if let spill = file.spill, let url = file.spillURL {
            try spill.close()
            pending.append((file.header, file.wanting, .file(url)))
        } else if let buffer = file.buffer {
            pending.append((file.header, file.wanting, .memory(buffer)))
        }
    }

    /// A hard link shares its target's content. When the same analyzers want both paths, the
    /// target's findings are copied to the link in `finish` (no second read of the content); when
    /// the target was not read, the link cannot be analysed in a single streaming pass, and the
    /// inventory says so instead of silently missing it.
    private func noteHardLink(path: String, entry: TarEntry) {
        let target = ImagePath.normalise(entry.linkName)
        guard target != path else { return }
        let known = wantedFiles[target]
        // A hard link's header has no size of its own; the target's decides (executables have a minimum).
        let header = FileHeader(path: path, size: known?.size ?? entry.size, mode: entry.mode)
        let wanting = analyzers.indices.filter { analyzers[$0].wants(header) }
        guard !wanting.isEmpty else { return }
        if let known, let analyzers = known.analyzers, analyzers == Self.bitSet(wanting) {
            wantedFiles[path] = known
            hardLinks.append((path, target))
        } else {
            inventory.errors.append("\(path): hard link to \(target), which was not read for the same analyzers; not analysed")
        }
    }

    /// Analyzer indices as bits; nil past 64 analyzers (the catalog has 17), which makes a hard
    /// link be reported instead of resolved.
    private static func bitSet(_ indices: [Int]) -> UInt64? {
        guard indices.allSatisfy({ $0 < 64 }) else { return nil }
        return indices.reduce(0) { $0 | (1 << UInt64($1)) }
    }

    private func resolveHardLinks() {
        for link in hardLinks {
            guard let found = inventory.files[link.target], !found.isEmpty else { continue }
            inventory.files[link.path, default: []].append(contentsOf: found.map { package in
                var relocated = package
                relocated.location = link.path
                return relocated
            })
        }
        hardLinks = []
    }

    private func recordWhiteout(path: String, name: Substring) {
        let directory = ImagePath.parent(path)
        if name == ".wh..wh..opq" {
            inventory.opaqueDirectories.append(directory)
        } else if !name.hasPrefix(".wh..wh.") {  // other ".wh..wh." names are aufs bookkeeping
            let target = directory == "/" ? "/" + name.dropFirst(4) : directory + "/" + name.dropFirst(4)
            inventory.deleted.append(String(target))
        }
    }

    private func spillURL() throws -> URL {
        if tempDirectory == nil {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("drydock-layer-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            tempDirectory = base
        }
        return tempDirectory!.appendingPathComponent(UUID().uuidString)
    }
}
