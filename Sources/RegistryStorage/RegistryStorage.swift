/// RegistryStorage: where a registry's state lives — blob bytes in a `BlobStore`, everything else
/// (repositories, manifests, tags, referrers, upload sessions, pull times) in a `MetadataStore` —
/// and `RegistryStore`, which combines the two with the registry's rules: content is verified
/// before it becomes visible, becomes visible atomically, and a crash never leaves half of it.
///
/// It knows nothing of HTTP or of who is asking: the server maps requests onto it, the CLI's
/// `gc` and `fsck` run on it directly.
///
/// On-disk layout of the embedded store (`--data DIR`):
///
///     DIR/metadata.sqlite            SQLite (WAL): every row the registry keeps
///     DIR/blobs/sha256/ab/abcd…      blob and manifest bytes, content-addressed, immutable
///     DIR/uploads/<uuid>             bytes of an upload session in progress
///     DIR/tmp/                       manifests being written (temp file, fsync, rename)
public enum RegistryStorage {}
