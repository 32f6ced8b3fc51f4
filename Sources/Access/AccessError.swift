/// A refused admin operation or an unusable request; `status` is the HTTP status it maps to.
public struct AccessError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case invalid, notFound, conflict }
    public let kind: Kind
    public let description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
