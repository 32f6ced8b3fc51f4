/// Why a string could not be read as a version (or a range) of some ecosystem.
public struct VersionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public let reason: String

    public init(_ input: String, _ reason: String) {
        self.input = input
        self.reason = reason
    }

    public var description: String { "invalid version \"\(input)\": \(reason)" }
}
