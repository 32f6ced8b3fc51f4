#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A file read as an async sequence of 1 MiB buffers: an upload body that never holds the whole
/// blob in memory.
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let path: String
    let chunkSize: Int

    public init(path: String, chunkSize: Int = 1 << 20) {
        self.path = path
        self.chunkSize = chunkSize
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var fd: Int32 = -1
        let path: String
        let chunkSize: Int
        var finished = false

        public mutating func next() async throws -> ByteBuffer? {
            if finished { return nil }
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw RegistryClientError("cannot open \(path)") }
            }
            var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
            var failed = false
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { ptr in
                var r = -1
                repeat { r = read(fd, ptr.baseAddress, chunkSize) } while r < 0 && errno == EINTR
                if r < 0 { failed = true }
                return Swift.max(r, 0)
            }
            if failed {
                close(fd)
                finished = true
                throw RegistryClientError("cannot read \(path)")
            }
            if n == 0 {
                close(fd)
                finished = true
                return nil
            }
            return buffer
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, chunkSize: chunkSize) }
}
