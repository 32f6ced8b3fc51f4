import Foundation

/// The parts of an ELF file (System V gABI; 32- and 64-bit, either byte order) that binary
/// analyzers need: program headers, to turn virtual addresses into file offsets, and named section
/// headers, to find `.go.buildinfo` or `.dep-v0`. Only the headers and the ranges asked for are
/// read, so a large executable spilled to disk costs a few small reads.
///
/// Analyzers look at every executable in an image and most are not theirs, so this type is lenient
/// where it can be: a section table that lies outside the file or has an absurd size is treated as
/// absent (as after `sstrip`), likewise the program headers. Only a file that is not ELF at all, or
/// whose fixed header is cut short, fails to open.
struct ELFImage {
    struct Segment: Equatable {
        var type: UInt32
        var flags: UInt32
        var offset: UInt64
        var virtualAddress: UInt64
        var fileSize: UInt64
        var memorySize: UInt64

        static let load: UInt32 = 1
        static let executable: UInt32 = 0x1
        static let writable: UInt32 = 0x2
    }

    struct Section: Equatable {
        var name: String
        var type: UInt32
        var address: UInt64
        var offset: UInt64
        var size: UInt64

        /// SHT_NOBITS: occupies no file space (.bss).
        var hasFileContents: Bool { type != 8 }
    }

    enum OpenError: Error {
        case notELF
        case truncatedHeader
    }

    let source: any RandomAccessBytes
    let is64Bit: Bool
    let bigEndian: Bool
    let segments: [Segment]
    let sections: [Section]

    /// Upper bounds for hostile counts: real executables have a dozen program headers and under a
    /// hundred sections.
    static let maxSegments = 4096
    static let maxSections = 32768
    static let maxSectionNameTable = 4 << 20

    init(_ source: any RandomAccessBytes) throws {
        guard source.count >= 52 else { throw OpenError.notELF }
        let ident = try source.read(at: 0, count: 16)
        guard ident.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else { throw OpenError.notELF }
        guard ident[4] == 1 || ident[4] == 2, ident[5] == 1 || ident[5] == 2 else { throw OpenError.notELF }
        is64Bit = ident[4] == 2
        bigEndian = ident[5] == 2
        self.source = source
        let headerSize = is64Bit ? 64 : 52
        guard source.count >= headerSize else { throw OpenError.truncatedHeader }
        let header = BinaryFields(try source.read(at: 0, count: headerSize), bigEndian: bigEndian)
        let word = is64Bit ? 8 : 4
        let phoff = try header.word(24 + word, width: word)
        let shoff = try header.word(24 + 2 * word, width: word)
        let tail = 24 + 3 * word + 4   // after e_flags
        let phentsize = Int(try header.u16(tail + 2))
        var phnum = Int(try header.u16(tail + 4))
        let shentsize = Int(try header.u16(tail + 6))
        var shnum = Int(try header.u16(tail + 8))
        var shstrndx = Int(try header.u16(tail + 10))

        // Extended numbering: counts that do not fit 16 bits live in section header 0.
        let sectionEntry = is64Bit ? 64 : 40
        if shoff != 0, shentsize >= sectionEntry, phnum == 0xFFFF || shnum == 0 || shstrndx == 0xFFFF,
           let first = try? source.read(at: shoff, count: UInt64(sectionEntry)) {
            let zero = BinaryFields(first, bigEndian: bigEndian)
            if shnum == 0, let size = try? zero.word(is64Bit ? 32 : 20, width: word), size <= UInt64(Self.maxSections) {
                shnum = Int(size)
            }
            if shstrndx == 0xFFFF, let link = try? zero.u32(is64Bit ? 40 : 24) { shstrndx = Int(link) }
            if phnum == 0xFFFF, let info = try? zero.u32(is64Bit ? 44 : 28) { phnum = Int(info) }
        }

        segments = Self.readSegments(source, offset: phoff, count: phnum, entrySize: phentsize,
                                     is64Bit: is64Bit, bigEndian: bigEndian)
        sections = Self.readSections(source, offset: shoff, count: shnum, entrySize: shentsize,
                                     nameTableIndex: shstrndx, is64Bit: is64Bit, bigEndian: bigEndian)
    }

    /// The first section with this name.
    func section(named name: String) -> Section? {
        sections.first { $0.name == name }
    }

    /// A section's bytes, if it has file contents of at most `limit` bytes inside the file.
    func contents(of section: Section, limit: Int) throws -> Data {
        guard section.hasFileContents else { throw ByteRangeError(offset: 0, length: 0, reason: "section has no file contents") }
        guard section.size <= UInt64(limit) else {
            throw ByteRangeError(offset: Int(clamping: section.offset), length: Int(clamping: section.size),
                                 reason: "section larger than \(limit) bytes")
        }
        return try source.read(at: section.offset, count: section.size)
    }

    /// The file offset holding `length` bytes at virtual address `address`, when one loadable
    /// segment maps all of them from the file.
    func fileOffset(ofVirtualAddress address: UInt64, length: UInt64) -> Int? {
        for segment in segments where segment.type == Segment.load {
            guard address >= segment.virtualAddress else { continue }
            let delta = address - segment.virtualAddress
            guard delta <= segment.fileSize, length <= segment.fileSize - delta else { continue }
            let (offset, overflow) = segment.offset.addingReportingOverflow(delta)
            guard !overflow, offset <= UInt64(Int.max), length <= UInt64(Int.max),
                  source.contains(offset: Int(offset), length: Int(length)) else { continue }
            return Int(offset)
        }
        return nil
    }

    /// `length` bytes at a virtual address (see `fileOffset(ofVirtualAddress:length:)`).
    func read(virtualAddress address: UInt64, length: Int) throws -> Data {
        guard length >= 0, let offset = fileOffset(ofVirtualAddress: address, length: UInt64(length)) else {
            throw ByteRangeError(offset: Int(clamping: address), length: length, reason: "address not mapped from the file")
        }
        return try source.read(at: offset, count: length)
    }

    private static func readSegments(_ source: any RandomAccessBytes, offset: UInt64, count: Int, entrySize: Int,
                                     is64Bit: Bool, bigEndian: Bool) -> [Segment] {
        let minimum = is64Bit ? 56 : 32
        guard offset != 0, count > 0, count <= maxSegments, entrySize >= minimum,
              let table = try? source.read(at: offset, count: UInt64(count * entrySize)) else { return [] }
        let fields = BinaryFields(table, bigEndian: bigEndian)
        var result: [Segment] = []
        for index in 0 ..< count {
            let base = index * entrySize
            let segment: Segment?
            if is64Bit {
                segment = try? Segment(type: fields.u32(base), flags: fields.u32(base + 4), offset: fields.u64(base + 8),
                                       virtualAddress: fields.u64(base + 16), fileSize: fields.u64(base + 32),
                                       memorySize: fields.u64(base + 40))
            } else {
                segment = try? Segment(type: fields.u32(base), flags: fields.u32(base + 24),
                                       offset: UInt64(fields.u32(base + 4)), virtualAddress: UInt64(fields.u32(base + 8)),
                                       fileSize: UInt64(fields.u32(base + 16)), memorySize: UInt64(fields.u32(base + 20)))
            }
            if let segment { result.append(segment) }
        }
        return result
    }

    private static func readSections(_ source: any RandomAccessBytes, offset: UInt64, count: Int, entrySize: Int,
                                     nameTableIndex: Int, is64Bit: Bool, bigEndian: Bool) -> [Section] {
        let minimum = is64Bit ? 64 : 40
        guard offset != 0, count > 0, count <= maxSections, entrySize >= minimum,
              let table = try? source.read(at: offset, count: UInt64(count * entrySize)) else { return [] }
        let fields = BinaryFields(table, bigEndian: bigEndian)
        var raw: [(nameOffset: UInt32, section: Section)] = []
        for index in 0 ..< count {
            let base = index * entrySize
            let entry: (UInt32, Section)?
            if is64Bit {
                entry = try? (fields.u32(base), Section(name: "", type: fields.u32(base + 4), address: fields.u64(base + 16),
                                                        offset: fields.u64(base + 24), size: fields.u64(base + 32)))
            } else {
                entry = try? (fields.u32(base), Section(name: "", type: fields.u32(base + 4),
                                                        address: UInt64(fields.u32(base + 12)),
                                                        offset: UInt64(fields.u32(base + 16)), size: UInt64(fields.u32(base + 20))))
            }
            guard let entry else { return [] }
            raw.append(entry)
        }
        // Section names: NUL-terminated strings in the section-name table.
        var names = Data()
        if nameTableIndex > 0, nameTableIndex < raw.count {
            let table = raw[nameTableIndex].section
            if table.hasFileContents, table.size <= UInt64(maxSectionNameTable),
               let data = try? source.read(at: table.offset, count: table.size) {
                names = data
            }
        }
        return raw.map { entry in
            var section = entry.section
            section.name = Self.string(in: names, at: Int(entry.nameOffset))
            return section
        }
    }

    private static func string(in table: Data, at offset: Int) -> String {
        guard offset >= 0, offset < table.count else { return "" }
        let start = table.startIndex + offset
        let end = table[start...].firstIndex(of: 0) ?? table.endIndex
        return String(decoding: table[start ..< end], as: UTF8.self)
    }
}

extension ELFImage {
    /// The ELF image in a wanted file, or nil when the file is not ELF (most executables handed to
    /// the binary analyzers are scripts or other formats, which is not an error).
    static func open(_ file: FileHeader, _ content: FileContent) throws -> ELFImage? {
        let source: any RandomAccessBytes
        do {
            source = try content.randomAccessBytes()
        } catch {
            throw AnalysisError.malformed(file.path, "cannot read the file: \(error)")
        }
        return try? ELFImage(source)
    }
}
