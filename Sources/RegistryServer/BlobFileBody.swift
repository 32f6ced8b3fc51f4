#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import NIOCore

/// A response body that streams a byte range of a blob file. Blobs are immutable and usually in
/// the page cache, so each 2 MiB chunk is read with one `pread` in the writing task rather than
/// through a file-I/O thread pool: one task hop less per chunk, which is what limited large
/// downloads (measured: ~1.5 GB/s through `FileIO`, against a ~2 GB/s loopback floor).
enum BlobFileBody {
    static let chunkSize = 2 << 20

    static func make(path: String, range: ClosedRange<Int64>) -> ResponseBody {
        let length = range.upperBound - range.lowerBound + 1
        return ResponseBody(contentLength: Int(length)) { writer in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw RegistryError(.internalServerError, "UNKNOWN", "blob file cannot be opened") }
            defer { close(fd) }
            var offset = range.lowerBound
            var remaining = length
            // One buffer, reused: a fresh multi-megabyte allocation per chunk is a fresh mmap and
            // hundreds of page faults each time. Once a write has completed the channel no
            // longer holds the storage, so clearing it does not copy.
            var buffer = ByteBufferAllocator().buffer(capacity: Int(min(length, Int64(chunkSize))))
            while remaining > 0 {
                let want = Int(min(remaining, Int64(chunkSize)))
                buffer.clear()
                let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { pointer in
                    var n = -1
                    repeat { n = pread(fd, pointer.baseAddress, want, off_t(offset)) } while n < 0 && errno == EINTR
                    return max(n, 0)
                }
                // The file shrank under us (it never should: blobs are immutable): stop short
                // rather than send garbage; the client sees a truncated body and retries.
                guard got > 0 else { throw RegistryError(.internalServerError, "UNKNOWN", "blob file is shorter than recorded") }
                try await writer.write(buffer)
                offset += Int64(got)
                remaining -= Int64(got)
            }
            try await writer.finish(nil)
        }
    }
}
