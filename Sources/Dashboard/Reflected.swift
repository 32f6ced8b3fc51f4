import Mustache

/// A page model for Mustache with its fields read by reflection once. Mustache reads a plain
/// struct through a new `Mirror` at every tag; for a table of a hundred rows of twenty fields
/// that was a third of an image page's time. Wrapped, each value is reflected once and each tag
/// is a dictionary lookup. Optionals are unwrapped (nil leaves the field out: a false section),
/// arrays and nested structs are wrapped in turn; strings, numbers and booleans stay as they are.
struct Reflected: MustacheParent {
    private let fields: [String: Any]

    static func wrap(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { wrap($0.value) } as Any
        case .collection:
            return mirror.children.map { wrap($0.value) }
        case .struct, .class:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label else { continue }
                let inner = Mirror(reflecting: child.value)
                if inner.displayStyle == .optional {
                    guard let some = inner.children.first else { continue }
                    fields[label] = wrap(some.value)
                } else {
                    fields[label] = wrap(child.value)
                }
            }
            return Reflected(fields: fields)
        default:
            return value
        }
    }

    func child(named name: String) -> Any? { fields[name] }
}
