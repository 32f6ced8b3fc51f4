#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OCI

/// Reads byte ranges of local files in large chunks, optionally verifying a digest on the way.
enum LocalFileReader {
    static let chunkSize = 1 << 20

    /// Streams `length` bytes at `offset` (nil: to the end) of `path` into `sink`.
    static func stream(path: String, offset: Int64 = 0, length: Int64? = nil, verify digest: Digest?,
                       into sink: LayerSink) async throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AnalysisError.unsupported("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = digest.map { DigestHasher($0.algorithm) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        var remaining = length ?? Int64.max
        while remaining > 0 {
            let want = Int(min(Int64(chunkSize), remaining))
            let got = pread(fd, buffer.baseAddress, want, off_t(position))
            if got < 0 {
                if errno == EINTR { continue }
                throw AnalysisError.unsupported("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                if length != nil { throw AnalysisError.unsupported("\(path) ends before the expected \(length!) bytes") }
                break
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            hasher?.update(chunk)
            try sink.write(chunk)
            await sink.flush()
            position += Int64(got)
            remaining -= Int64(got)
        }
        if let digest, let actual = hasher?.finalize(), actual != digest {
            throw AnalysisError.unsupported("blob \(digest) in \(path) has digest \(actual): the file is corrupt")
        }
    }

    /// A small file (index, manifest, config) read whole, with a size cap.
    static func readSmall(_ path: String, limit: Int = 16 << 20) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AnalysisError.unsupported("cannot open \(path)")
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else { throw AnalysisError.unsupported("\(path) is larger than \(limit) bytes") }
        return data
    }
}
