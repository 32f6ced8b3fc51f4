import OCI

/// The running SHA-256 of each upload session, so a chunked upload is hashed once as it arrives
/// instead of re-read at the end. A session is checked out by one request at a time; a second
/// concurrent request on the same session is refused rather than interleaving bytes.
actor UploadHashes {
    struct State: Sendable {
        var hasher: DigestHasher
        var size: Int64
    }

    private var states: [String: State] = [:]
    private var busy: Set<String> = []

    /// Takes the session's state; `rebuild` recomputes it from the bytes on disk when this process
    /// has none (after a restart).
    func checkout(_ id: String, rebuild: @Sendable () throws -> State) throws -> State {
        guard !busy.contains(id) else {
            throw StorageError(.blobUploadInvalid, "upload \(id) is already receiving data in another request")
        }
        let state = try states[id] ?? rebuild()
        busy.insert(id)
        return state
    }

    /// Returns the state after a request; nil forgets it (the disk copy is then authoritative).
    func checkin(_ id: String, _ state: State?) {
        busy.remove(id)
        states[id] = state
    }

    func forget(_ id: String) {
        states[id] = nil
        busy.remove(id)
    }
}
