import Foundation

/// Order-preserving parallel map over a bounded chunk (used to parse record files on all cores).
enum ParallelMap {
    static func chunks<T>(_ items: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }

    static func map<T: Sendable, R: Sendable>(_ items: ArraySlice<T>, _ transform: @Sendable (T) -> R) -> [R] {
        let input = Array(items)
        let box = ResultBox<R>(count: input.count)
        DispatchQueue.concurrentPerform(iterations: input.count) { i in
            box.set(i, transform(input[i]))
        }
        return box.values()
    }
}

/// Lock-protected slots; each index is written exactly once.
private final class ResultBox<R: Sendable>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: R) {
        lock.lock(); slots[i] = value; lock.unlock()
    }

    func values() -> [R] {
        lock.lock(); defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
