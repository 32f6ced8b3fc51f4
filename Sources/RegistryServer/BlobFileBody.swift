#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import NIOCore
import Synchronization

/// A response body that streams a byte range of a blob file. Blobs are immutable and usually in
/// the page cache, so each 2 MiB chunk is read with one `pread` in the writing task rather than
/// through a file-I/O thread pool: one task hop less per chunk, which is what limited large
/// downloads (measured: ~1.5 GB/s through `FileIO`, against a ~2 GB/s loopback floor).
enum BlobFileBody {
    static let chunkSize = 2 << 20
    /// Below this, malloc serves a buffer from its heap cheaply; above, it maps fresh pages.
    static let pooledFrom: Int64 = 128 << 10
    static let chunkBuffers = ChunkBufferPool(capacity: chunkSize, limit: 8)

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
            // longer holds the storage, so clearing it does not copy. Large bodies take their
            // buffer from a small pool shared by all downloads, for the same reason across
            // requests (measured: 144 page faults per 1 MiB blob GET without it).
            let pooled = length >= Self.pooledFrom
            var buffer = pooled ? chunkBuffers.take() : ByteBufferAllocator().buffer(capacity: Int(length))
            defer { if pooled { chunkBuffers.give(buffer) } }
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

/// Chunk-sized buffers kept between blob downloads (at most `limit`, so an idle registry holds at
/// most `limit × capacity` bytes). A buffer still referenced by a write in flight when it is
/// reused is copied on write by ByteBuffer, so sharing is always safe, only sometimes not free.
final class ChunkBufferPool: Sendable {
    private let buffers = Mutex<[ByteBuffer]>([])
    let capacity: Int
    let limit: Int

    init(capacity: Int, limit: Int) {
        self.capacity = capacity
        self.limit = limit
    }

    func take() -> ByteBuffer {
        buffers.withLock { $0.popLast() } ?? ByteBufferAllocator().buffer(capacity: capacity)
    }

    func give(_ buffer: ByteBuffer) {
        guard buffer.capacity >= capacity else { return }
        buffers.withLock { if $0.count < limit { $0.append(buffer) } }
    }
}
