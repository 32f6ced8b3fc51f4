import Foundation

/// The two strings the Go linker embeds in every executable since Go 1.13: the toolchain version
/// (`runtime.buildVersion`, "go1.21.3") and the module information that `go version -m` prints.
struct GoBuildInfo: Equatable {
    var goVersion: String
    /// The module text without its 16-byte framing sentinels; empty when the binary has none.
    var moduleInfo: String
}

/// Finds and decodes the build-info blob of an ELF executable as Go's `debug/buildinfo` does.
///
/// The blob is a 32-byte header, 16-byte aligned, starting with the magic "\xff Go buildinf:",
/// then the pointer size (4 or 8) and a flags byte (bit 0: big-endian, bit 1: strings inline).
/// Go >= 1.18 writes the two strings inline after the header as uvarint-length-prefixed bytes;
/// older linkers wrote two pointers to Go string headers (data pointer, length) that must be
/// followed through the program headers. The blob sits at the start of `.go.buildinfo`, or, when
/// the section headers are gone (sstrip, some packers), near the start of the first writable,
/// non-executable PT_LOAD segment; either is searched in its first 64 KiB, like Go does.
enum GoBuildInfoReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static let magic: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
    static let headerSize = 32
    static let searchWindow = 64 * 1024
    /// Far beyond any real module list (Kubernetes' is ~40 KiB), well below memory trouble.
    static let maxModuleInfoSize = 16 << 20
    static let maxVersionSize = 4096

    /// The build info, or nil when there is no blob (not a Go binary, or built before Go 1.13).
    /// Throws `Malformed` when the blob is there but cannot be decoded.
    static func read(from image: ELFImage) throws -> GoBuildInfo? {
        guard let blobOffset = findBlob(in: image) else { return nil }
        let header: Data
        do {
            header = try image.source.read(at: blobOffset, count: headerSize)
        } catch {
            throw Malformed(description: "build info header cut short")
        }
        let pointerSize = Int(header[14])
        let flags = header[15]
        var version: [UInt8]
        var module: [UInt8]
        if flags & 2 != 0 {
            var cursor = blobOffset + headerSize
            version = try inlineString(image.source, at: &cursor, limit: maxVersionSize)
            module = try inlineString(image.source, at: &cursor, limit: maxModuleInfoSize)
        } else {
            guard pointerSize == 4 || pointerSize == 8 else {
                throw Malformed(description: "build info pointer size \(pointerSize)")
            }
            let fields = BinaryFields(header, bigEndian: flags & 1 != 0)
            let versionAddress = try fields.word(16, width: pointerSize)
            let moduleAddress = try fields.word(16 + pointerSize, width: pointerSize)
            version = try pointedString(image, header: versionAddress, pointerSize: pointerSize,
                                        bigEndian: flags & 1 != 0, limit: maxVersionSize)
            module = try pointedString(image, header: moduleAddress, pointerSize: pointerSize,
                                       bigEndian: flags & 1 != 0, limit: maxModuleInfoSize)
        }
        guard !version.isEmpty else { throw Malformed(description: "build info has an empty Go version") }
        // cmd/go frames the module text with 16-byte sentinels (modload.infoStart / infoEnd).
        if module.count >= 33, module[module.count - 17] == UInt8(ascii: "\n") {
            module = Array(module[16 ..< module.count - 16])
        } else {
            module = []
        }
        return GoBuildInfo(goVersion: String(decoding: version, as: UTF8.self),
                           moduleInfo: String(decoding: module, as: UTF8.self))
    }

    /// File offset of the blob: in `.go.buildinfo`, or in writable data segments when the file has
    /// no section headers at all.
    static func findBlob(in image: ELFImage) -> Int? {
        var windows: [(offset: UInt64, address: UInt64, size: UInt64)] = []
        if let section = image.section(named: ".go.buildinfo") {
            if section.hasFileContents { windows.append((section.offset, section.address, section.size)) }
        } else if image.sections.isEmpty {
            // Only without section headers: every Go linker since 1.13 names the section, so an
            // executable with sections but without this one (most of an image's) is not Go.
            for segment in image.segments where segment.type == ELFImage.Segment.load
                && segment.flags & (ELFImage.Segment.executable | ELFImage.Segment.writable) == ELFImage.Segment.writable {
                windows.append((segment.offset, segment.virtualAddress, segment.fileSize))
            }
        }
        for window in windows {
            let size = min(window.size, UInt64(searchWindow))
            guard size >= UInt64(headerSize), let data = try? image.source.read(at: window.offset, count: size) else { continue }
            // Go aligns the blob to 16 bytes of virtual address.
            let firstAligned = Int((16 - window.address % 16) % 16)
            var index = firstAligned
            while index + headerSize <= data.count {
                if data[index ..< index + magic.count].elementsEqual(magic) {
                    return Int(window.offset) + index
                }
                index += 16
            }
        }
        return nil
    }

    /// A uvarint length followed by that many bytes, advancing `cursor` past them.
    private static func inlineString(_ source: any RandomAccessBytes, at cursor: inout Int, limit: Int) throws -> [UInt8] {
        let available = min(10, source.count - cursor)
        guard available > 0, let prefix = try? source.read(at: cursor, count: available) else {
            throw Malformed(description: "build info string cut short")
        }
        var length: UInt64 = 0
        var shift: UInt64 = 0
        var used = 0
        while true {
            guard used < prefix.count, shift < 64 else { throw Malformed(description: "bad build info string length") }
            let byte = prefix[used]
            used += 1
            length |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= UInt64(limit) else { throw Malformed(description: "build info string of \(length) bytes") }
        guard let bytes = try? source.read(at: cursor + used, count: Int(length)) else {
            throw Malformed(description: "build info string cut short")
        }
        cursor += used + Int(length)
        return Array(bytes)
    }

    /// The bytes of the Go string whose header (data pointer, length) is at virtual address `header`.
    private static func pointedString(_ image: ELFImage, header: UInt64, pointerSize: Int, bigEndian: Bool,
                                      limit: Int) throws -> [UInt8] {
        guard let raw = try? image.read(virtualAddress: header, length: 2 * pointerSize) else {
            throw Malformed(description: "build info points outside the file (\(hex(header)))")
        }
        let fields = BinaryFields(raw, bigEndian: bigEndian)
        let dataAddress = try fields.word(0, width: pointerSize)
        let length = try fields.word(pointerSize, width: pointerSize)
        guard length <= UInt64(limit) else { throw Malformed(description: "build info string of \(length) bytes") }
        if length == 0 { return [] }
        guard let bytes = try? image.read(virtualAddress: dataAddress, length: Int(length)) else {
            throw Malformed(description: "build info string outside the file (\(hex(dataAddress)))")
        }
        return Array(bytes)
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
