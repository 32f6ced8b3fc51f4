import Synchronization

/// A value behind a lock, for state read on every request (an actor hop per request would cost
/// more than the work itself). Synchronization's `Mutex` spins briefly before it sleeps, so the
/// short critical sections here rarely put a thread to sleep when two event loops meet.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: consuming sending Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout sending Value) throws -> sending T) rethrows -> sending T {
        try mutex.withLock { try body(&$0) }
    }
}
