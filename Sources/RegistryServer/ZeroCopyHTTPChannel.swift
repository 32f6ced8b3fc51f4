import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

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
///
/// And the `ConnectionLimits` of every listener, TLS or not: connections per client address,
/// the idle and header timeout and header size (Hummingbird's), and the body timeout.
struct ZeroCopyHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    static let maximumRead = 1 << 20

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let counter: ConnectionCounter
    /// False under TLS: the bytes must be encrypted in this process.
    let sendfile: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(address) else {
            logger.notice("connection refused: too many from one address", metadata: ["address": "\(address)", "limit": "\(counter.limit)"])
            return channel.close().flatMapThrowing { throw ServerError("too many connections from \(address)") }
        }
        let counter = self.counter
        channel.closeFuture.whenComplete { _ in counter.release(address) }
        return channel.setOption(ChannelOptions.recvAllocator,
                                 value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maximumRead))
            .flatMap { http1.setup(channel: channel, logger: logger) }
            .flatMapThrowing { [sendfile, limits] value in
                let operations = channel.pipeline.syncOperations
                let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try operations.addHandler(RequestBodyTimeout(timeout: limits.bodyTimeout), position: .after(decoder))
                if sendfile {
                    let encoder = try operations.handler(type: HTTPResponseEncoder.self)
                    try operations.addHandler(SendfileInsertionPoint(), position: .after(encoder))
                }
                return value
            }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    /// A listener's connections; `tls` wraps each in TLS (and leaves sendfile out).
    static func builder(limits: ConnectionLimits, tls: TLSConfiguration?) -> HTTPServerBuilder {
        let counter = ConnectionCounter(limit: limits.maxConnectionsPerAddress)
        var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        decoder.maxHeaderFieldSize = limits.maxHeaderSize
        decoder.maxHeaderListSize = limits.maxHeaderSize
        let configuration = HTTP1Channel.Configuration(idleTimeout: limits.idleTimeout.timeAmount, httpDecoderConfiguration: decoder)
        return HTTPServerBuilder { responder in
            let channel = ZeroCopyHTTPChannel(http1: HTTP1Channel(responder: responder, configuration: configuration), limits: limits,
                                              counter: counter, sendfile: tls == nil)
            guard let tls else { return channel }
            return try TLSChannel(channel, tlsConfiguration: tls)
        }
    }
}

/// Where a response body may be written as a `FileRegion`: writes made on this handler's context
/// go straight to NIO's HTTP/1 encoder, which passes file regions on to the socket. It forwards
/// everything else unchanged; it only marks the place.
final class SendfileInsertionPoint: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
}
