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
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { ptr in
                let r = read(fd, ptr.baseAddress, chunkSize)
                return r > 0 ? r : 0
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
