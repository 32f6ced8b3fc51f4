import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP/1 child channel of a plain-HTTP listener: Hummingbird's, with two changes for the
/// bytes that dominate a registry's traffic.
///
/// - A `SendfileInsertionPoint` right above NIO's HTTP response encoder, below Hummingbird's
///   typed codec (which only carries `ByteBuffer` bodies). A blob download writes a `FileRegion`
///   there, so the kernel moves the file to the socket with `sendfile(2)` and the bytes never
///   enter this process (`BlobFileBody`). Under TLS the handler is absent: the bytes must be
///   encrypted in user space, and downloads use the bounded-copy path.
/// - Reads of up to 1 MiB instead of NIO's default 64 KiB ceiling, so a large upload arrives
///   in a sixteenth as many pieces, each one a trip through the decoder, the async sequence and
///   the storage loop. The allocator is adaptive: it grows only while reads fill the buffer, so
///   connections that send small requests keep small buffers.
struct ZeroCopyHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    static let maximumRead = 1 << 20

    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.setOption(ChannelOptions.recvAllocator,
                          value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maximumRead))
            .flatMap { http1.setup(channel: channel, logger: logger) }
            .flatMapThrowing { value in
                let operations = channel.pipeline.syncOperations
                let encoder = try operations.handler(type: HTTPResponseEncoder.self)
                try operations.addHandler(SendfileInsertionPoint(), position: .after(encoder))
                return value
            }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    static var builder: HTTPServerBuilder {
        HTTPServerBuilder { responder in ZeroCopyHTTPChannel(http1: HTTP1Channel(responder: responder)) }
    }
}

/// Where a response body may be written as a `FileRegion`: writes made on this handler's context
/// go straight to NIO's HTTP/1 encoder, which passes file regions on to the socket. It forwards
/// everything else unchanged; it only marks the place.
final class SendfileInsertionPoint: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
}
