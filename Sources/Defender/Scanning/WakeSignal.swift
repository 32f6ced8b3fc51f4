import Synchronization

/// Wakes one idle worker early (a push arrived) instead of letting it sleep out its poll
/// interval. A signal sent while nobody waits is kept for the next wait.
final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns after a signal or `timeout` seconds, whichever comes first.
    func wait(timeout: Double) async {
        if state.withLock({ state in
            defer { state.pending = false }
            return state.pending
        }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                self.signal()
            }
            await group.next()
            group.cancelAll()
        }
        // The timer's signal may have arrived after the waiter was woken by another: drop it.
        state.withLock { $0.pending = false }
    }
}
