import Access
import Hummingbird
import Logging
import NIOCore

/// Per-request state. It carries where the request came from (peer address, and whether it
/// arrived on a public listener or a private endpoint) and, once the access gate has run, who the
/// caller is — the handlers read the identity from here, never from globals.
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, for blob downloads that hand the kernel a file region (`BlobFileBody`).
    let channel: any Channel
    /// The authenticated caller; nil when the server runs without access control.
    public var identity: Identity?
    /// Which repositories the catalog may list; nil lists everything.
    public var catalogFilter: (@Sendable (String) -> Bool)?
    /// The route, when the access gate already parsed it (the API then does not parse again).
    var route: RegistryRoute?
    /// Set by the access gate when the caller may not read a mount's `from` repository: the
    /// upload endpoint then starts a session instead of mounting.
    var mountRefused = false

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// Manifests are read whole; blobs stream and never go through `collect`.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}
