import OCI

/// The running SHA-256 of each upload session, so a chunked upload is hashed once as it arrives
/// instead of re-read at the end. A session is checked out by one request at a time; a second
/// concurrent request on the same session is refused rather than interleaving bytes, and a
/// session in use cannot be cancelled or expired under the request that holds it.
actor UploadHashes {
    struct State: Sendable {
        var hasher: DigestHasher
        var size: Int64
    }

    private var states: [String: State] = [:]
    private var busy: Set<String> = []

    /// Marks the session in use and returns its state, or nil when this process has none (after a
    /// restart): the caller then rebuilds it from disk, outside this actor.
    func checkout(_ id: String) throws -> State? {
        guard !busy.contains(id) else {
            throw StorageError(.blobUploadInvalid, "upload \(id) is already receiving data in another request")
        }
        busy.insert(id)
        return states[id]
    }

    /// Returns the state after a request; nil forgets it (the disk copy is then authoritative).
    func checkin(_ id: String, _ state: State?) {
        busy.remove(id)
        states[id] = state
    }

    /// Forgets a session that is finished (committed or failed).
    func release(_ id: String) {
        busy.remove(id)
        states[id] = nil
    }

    /// Forgets a session being cancelled; false (and nothing changes) while a request holds it.
    func cancel(_ id: String) -> Bool {
        guard !busy.contains(id) else { return false }
        states[id] = nil
        return true
    }
}
