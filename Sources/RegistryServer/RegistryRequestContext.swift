import Hummingbird
import Logging
import NIOCore

/// Per-request state. It carries where the request came from (peer address, and whether it
/// arrived on a public listener or a private endpoint), which the access layer will decide on.
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Manifests are read whole; blobs stream and never go through `collect`.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}
