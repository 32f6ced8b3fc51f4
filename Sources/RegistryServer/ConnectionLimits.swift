import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What one client connection may hold of the server, so that abusive clients (headers trickled
/// for minutes, uploads that stop sending, thousands of idle connections, huge headers) cost
/// little and others keep being served. `drydock serve` exposes each (docs/architecture.md).
public struct ConnectionLimits: Sendable {
    /// How long a connection may wait for its next request, and for a request's head to arrive
    /// completely (a head trickled a byte at a time is closed at this point).
    public var idleTimeout: Duration = .seconds(60)
    /// How long a request body may go without a byte arriving (an upload that stopped sending).
    public var bodyTimeout: Duration = .seconds(120)
    /// Open connections per client address; past it, new ones are closed at once.
    public var maxConnectionsPerAddress = 1024
    /// Bytes of a request's header fields, all together (a single field too); past it the
    /// request is refused (400) and the connection closed.
    public var maxHeaderSize = 64 * 1024

    public init() {}
}

/// Open connections by client address, shared by a listener's connections.
final class ConnectionCounter: Sendable {
    private let open = NIOLockedValueBox<[String: Int]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false (and not counted) when its address is at the limit.
    func admit(_ address: String) -> Bool {
        open.withLockedValue { counts in
            let current = counts[address, default: 0]
            guard current < limit else { return false }
            counts[address] = current + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLockedValue { counts in
            let left = counts[address, default: 1] - 1
            counts[address] = left > 0 ? left : nil
        }
    }
}

/// Closes a connection whose request body stops arriving: armed by a request's head and each
/// piece of its body, disarmed by its end. Between requests Hummingbird's idle timeout applies.
final class RequestBodyTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = timeout.timeAmount
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head, .body: arm(context)
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext) {
        scheduled?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        scheduled = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    private func disarm() {
        scheduled?.cancel()
        scheduled = nil
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        .nanoseconds(Int64(components.seconds) * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
