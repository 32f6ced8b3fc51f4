/// One member of a tar stream, with GNU long names and PAX overrides already applied.
struct TarEntry: Sendable {
    enum Kind: Sendable { case file, directory, symlink, hardlink, other }
    /// The name as stored (may be relative, "./"-prefixed, or carry a trailing slash).
    var name: String
    var kind: Kind
    var size: Int64
    var mode: UInt32
    var linkName: String
}

/// Receives the entries of a tar stream as the parser finds them.
protocol TarEntrySink: AnyObject {
    /// Returns whether the entry's data should be passed to `data`; otherwise it is skipped.
    func begin(_ entry: TarEntry) throws -> Bool
    func data(_ bytes: UnsafeRawBufferPointer) throws
    func end() throws
}

/// A push parser for tar streams (ustar, GNU long names/links and base-256 sizes, PAX extended
/// headers): bytes go in in whatever chunks decompression produces, entries come out through a
/// sink. Nothing but the current header and PAX/GNU metadata is buffered, so a layer of any size
/// is read in constant memory.
final class TarStreamParser {
    private enum State {
        case header
        case metadata(MetadataKind, remaining: Int64, padding: Int64)
        case data(remaining: Int64, padding: Int64, deliver: Bool)
        case padding(remaining: Int64)
        case ended
    }
    private enum MetadataKind { case pax, globalPax, longName, longLink }

    /// Longest PAX or GNU long-name record accepted (real ones are a few hundred bytes).
    static let maxMetadataSize: Int64 = 1 << 20

    // The sink owns the parser; unowned breaks the cycle.
    private unowned let sink: any TarEntrySink
    private var state = State.header
    private var block: [UInt8] = []
    private var metadata: [UInt8] = []
    private var paxOverrides: [String: String] = [:]
    private var longName: String?
    private var longLink: String?
    /// Offset of the current position in the uncompressed stream, for error messages.
    private(set) var offset: Int64 = 0

    init(sink: any TarEntrySink) {
        self.sink = sink
        block.reserveCapacity(512)
    }

    var isEnded: Bool { if case .ended = state { return true }; return false }

    func consume(_ input: UnsafeRawBufferPointer) throws {
        var index = 0
        while index < input.count {
            switch state {
            case .ended:
                return  // anything after the end-of-archive blocks is ignored, as GNU tar does
            case .header:
                let take = min(512 - block.count, input.count - index)
                block.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                offset += Int64(take)
                if block.count == 512 {
                    try parseHeader()
                    block.removeAll(keepingCapacity: true)
                }
            case .metadata(let kind, let remaining, let padding):
                let take = Int(min(remaining, Int64(input.count - index)))
                metadata.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                offset += Int64(take)
                if remaining - Int64(take) == 0 {
                    try finishMetadata(kind)
                    state = padding > 0 ? .padding(remaining: padding) : .header
                } else {
                    state = .metadata(kind, remaining: remaining - Int64(take), padding: padding)
                }
            case .data(let remaining, let padding, let deliver):
                let take = Int(min(remaining, Int64(input.count - index)))
                if deliver, take > 0 { try sink.data(UnsafeRawBufferPointer(rebasing: input[index..<(index + take)])) }
                index += take
                offset += Int64(take)
                if remaining - Int64(take) == 0 {
                    try sink.end()
                    state = padding > 0 ? .padding(remaining: padding) : .header
                } else {
                    state = .data(remaining: remaining - Int64(take), padding: padding, deliver: deliver)
                }
            case .padding(let remaining):
                let take = Int(min(remaining, Int64(input.count - index)))
                index += take
                offset += Int64(take)
                state = remaining - Int64(take) == 0 ? .header : .padding(remaining: remaining - Int64(take))
            }
        }
    }

    /// Called at the end of input. A stream may end right after an entry without the two zero
    /// blocks (some writers omit them); ending inside an entry means the layer is truncated.
    func finish() throws {
        switch state {
        case .ended: return
        case .header where block.isEmpty: return
        default: throw AnalysisError.unsupported("tar stream is truncated at byte \(offset)")
        }
    }

    private func parseHeader() throws {
        if block.allSatisfy({ $0 == 0 }) {
            state = .ended
            return
        }
        guard TarHeaderFields.checksumMatches(block) else {
            throw AnalysisError.unsupported("not a tar stream: bad header checksum at byte \(offset - 512)")
        }
        guard let size = TarHeaderFields.number(block, 124, 12), size >= 0 else {
            throw AnalysisError.unsupported("tar header at byte \(offset - 512) has an unreadable size")
        }
        let padding = (512 - size % 512) % 512
        let type = block[156]
        switch type {
        case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
            guard size <= Self.maxMetadataSize else {
                throw AnalysisError.unsupported("tar metadata record of \(size) bytes at byte \(offset - 512) exceeds the limit")
            }
            let kind: MetadataKind = switch type {
            case UInt8(ascii: "x"): .pax
            case UInt8(ascii: "g"): .globalPax
            case UInt8(ascii: "L"): .longName
            default: .longLink
            }
            metadata.removeAll(keepingCapacity: true)
            if size == 0 {
                try finishMetadata(kind)
                state = .header
            } else {
                state = .metadata(kind, remaining: size, padding: padding)
            }
            return
        default:
            break
        }

        var entry = TarEntry(name: TarHeaderFields.name(block), kind: TarHeaderFields.kind(type), size: size,
                             mode: UInt32(truncatingIfNeeded: TarHeaderFields.number(block, 100, 8) ?? 0o644) & 0o7777,
                             linkName: TarHeaderFields.string(block, 157, 100))
        if let longName { entry.name = longName }
        if let longLink { entry.linkName = longLink }
        if let path = paxOverrides["path"] { entry.name = path }
        if let link = paxOverrides["linkpath"] { entry.linkName = link }
        if let paxSize = paxOverrides["size"] {
            guard let value = Int64(paxSize), value >= 0 else {
                throw AnalysisError.unsupported("tar PAX size '\(paxSize.prefix(30))' at byte \(offset - 512) is invalid")
            }
            entry.size = value
        }
        longName = nil
        longLink = nil
        paxOverrides = [:]
        // Only regular files carry data; a hard link or directory with a size field still has
        // none in ustar, but PAX/GNU writers never set one, so trust the size for all kinds.
        let dataSize = (entry.kind == .hardlink || entry.kind == .symlink || entry.kind == .directory) ? 0 : entry.size
        let dataPadding = (512 - dataSize % 512) % 512
        let deliver = try sink.begin(entry)
        if dataSize == 0 {
            try sink.end()
            state = .header
        } else {
            state = .data(remaining: dataSize, padding: dataPadding, deliver: deliver)
        }
    }

    private func finishMetadata(_ kind: MetadataKind) throws {
        switch kind {
        case .longName: longName = TarHeaderFields.cString(metadata[...])
        case .longLink: longLink = TarHeaderFields.cString(metadata[...])
        case .pax: paxOverrides.merge(try TarHeaderFields.paxRecords(metadata)) { $1 }
        case .globalPax: break  // global defaults (rare in layers) change no field we use
        }
        metadata.removeAll(keepingCapacity: true)
    }
}
