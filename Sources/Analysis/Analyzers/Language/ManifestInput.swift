import Foundation

/// Reads a language manifest's bytes. Manifests and lockfiles are text or JSON that has to be
/// parsed whole, so they are read with a size cap; a UTF-8 byte-order mark (which some editors
/// leave at the start of package.json or composer.json) is dropped.
enum ManifestInput {
    /// Lockfiles of big monorepos reach tens of megabytes; anything past this is not a manifest.
    static let defaultLimit = 64 << 20

    static func bytes(_ file: FileHeader, _ content: FileContent, limit: Int = defaultLimit) throws -> Data {
        let data: Data
        do {
            data = try content.data(limit: limit)
        } catch AnalysisError.tooLarge {
            throw AnalysisError.tooLarge(file.path, limit: limit)
        } catch {
            throw AnalysisError.malformed(file.path, "cannot read the file")
        }
        guard data.count <= limit else { throw AnalysisError.tooLarge(file.path, limit: limit) }
        return withoutByteOrderMark(data)
    }

    /// At most `maxBytes` from the start of the file, for formats whose facts are all at the top
    /// (RFC 822 headers before a long description).
    static func prefix(_ file: FileHeader, _ content: FileContent, maxBytes: Int) throws -> Data {
        switch content {
        case .memory(let data):
            return withoutByteOrderMark(Data(data.prefix(maxBytes)))
        case .file(let url):
            do {
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                return withoutByteOrderMark(try handle.read(upToCount: maxBytes) ?? Data())
            } catch {
                throw AnalysisError.malformed(file.path, "cannot read the file")
            }
        }
    }

    /// Text with invalid UTF-8 replaced (U+FFFD): a stray Latin-1 byte in a description must not
    /// lose the name and version next to it.
    static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
    }

    /// Lines without their terminators; `\r\n`, `\n` and `\r` all end a line.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// Without leading and trailing spaces and tabs.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        var slice = text[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    private static func withoutByteOrderMark(_ data: Data) -> Data {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return Data(data.dropFirst(3)) }
        return data
    }
}
