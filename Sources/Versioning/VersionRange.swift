/// A set of versions as a union of intervals. Bounds are kept as strings and compared with the
/// ecosystem's own ordering at lookup time, so one range type serves every ecosystem.
public struct VersionRange: Sendable, Equatable, CustomStringConvertible {
    public struct Bound: Sendable, Equatable {
        public var version: String
        public var inclusive: Bool

        public init(_ version: String, inclusive: Bool) {
            self.version = version
            self.inclusive = inclusive
        }
    }

    public struct Interval: Sendable, Equatable {
        /// nil means unbounded on that side.
        public var lower: Bound?
        public var upper: Bound?
        /// npm and Cargo only admit a pre-release when a comparator of the same set names a
        /// pre-release of the same `major.minor.patch`; nil means no such rule applies.
        public var prereleaseGate: Set<String>?

        public init(lower: Bound? = nil, upper: Bound? = nil, prereleaseGate: Set<String>? = nil) {
            self.lower = lower
            self.upper = upper
            self.prereleaseGate = prereleaseGate
        }

        public static func exactly(_ v: String) -> Interval { Interval(lower: Bound(v, inclusive: true), upper: Bound(v, inclusive: true)) }
        public static func atLeast(_ v: String) -> Interval { Interval(lower: Bound(v, inclusive: true)) }
        public static func greaterThan(_ v: String) -> Interval { Interval(lower: Bound(v, inclusive: false)) }
        public static func atMost(_ v: String) -> Interval { Interval(upper: Bound(v, inclusive: true)) }
        public static func lessThan(_ v: String) -> Interval { Interval(upper: Bound(v, inclusive: false)) }

        public var description: String {
            if let l = lower, let u = upper, l.inclusive, u.inclusive, l.version == u.version { return "=\(l.version)" }
            var parts: [String] = []
            if let l = lower { parts.append((l.inclusive ? ">=" : ">") + l.version) }
            if let u = upper { parts.append((u.inclusive ? "<=" : "<") + u.version) }
            return parts.isEmpty ? "*" : parts.joined(separator: " ")
        }
    }

    public var intervals: [Interval]

    public init(_ intervals: [Interval]) {
        self.intervals = intervals
    }

    public static let any = VersionRange([Interval()])
    public static let none = VersionRange([])

    public var isEmpty: Bool { intervals.isEmpty }

    public var description: String {
        intervals.isEmpty ? "<none>" : intervals.map(\.description).joined(separator: " || ")
    }

    public func union(_ other: VersionRange) -> VersionRange {
        VersionRange(intervals + other.intervals)
    }

    /// Pairwise intersection; empty intervals are dropped, which needs the ecosystem's order.
    public func intersection(_ other: VersionRange, ecosystem: Ecosystem) throws(VersionParseError) -> VersionRange {
        var out: [Interval] = []
        for a in intervals {
            for b in other.intervals {
                if let c = try Self.intersect(a, b, ecosystem) { out.append(c) }
            }
        }
        return VersionRange(out)
    }

    static func intersect(_ a: Interval, _ b: Interval, _ eco: Ecosystem) throws(VersionParseError) -> Interval? {
        var r = Interval()
        switch (a.lower, b.lower) {
        case (nil, let x), (let x, nil): r.lower = x
        case let (x?, y?):
            let c = try compare(x.version, y.version, in: eco)
            r.lower = c == .greater ? x : (c == .less ? y : Bound(x.version, inclusive: x.inclusive && y.inclusive))
        }
        switch (a.upper, b.upper) {
        case (nil, let x), (let x, nil): r.upper = x
        case let (x?, y?):
            let c = try compare(x.version, y.version, in: eco)
            r.upper = c == .less ? x : (c == .greater ? y : Bound(x.version, inclusive: x.inclusive && y.inclusive))
        }
        if let l = r.lower, let u = r.upper {
            let c = try compare(l.version, u.version, in: eco)
            if c == .greater || (c == .equal && !(l.inclusive && u.inclusive)) { return nil }
        }
        switch (a.prereleaseGate, b.prereleaseGate) {
        case (nil, nil): r.prereleaseGate = nil
        case let (x, y): r.prereleaseGate = (x ?? []).union(y ?? [])
        }
        return r
    }

    /// Whether `version` lies in the range, ordered by `ecosystem`.
    public func contains(_ version: String, ecosystem: Ecosystem) throws(VersionParseError) -> Bool {
        let v = try ecosystem.parse(version)
        for interval in intervals where try Self.interval(interval, contains: v) { return true }
        return false
    }

    private static func interval<V: EcosystemVersion>(_ i: Interval, contains v: V) throws(VersionParseError) -> Bool {
        if let c = v as? ComposerVersion, c.isBranch {
            // Composer never orders branches: they only ever equal themselves.
            guard let l = i.lower, let u = i.upper, l.inclusive, u.inclusive, l.version == u.version,
                  let b = try? ComposerVersion(l.version) else { return false }
            return b.normalized == c.normalized
        }
        if let l = i.lower {
            let c = v.compare(to: try V(l.version))
            if c == .less || (c == .equal && !l.inclusive) { return false }
        }
        if let u = i.upper {
            let c = v.compare(to: try V(u.version))
            if c == .greater || (c == .equal && !u.inclusive) { return false }
        }
        if let gate = i.prereleaseGate, let s = (v as? any SemverBacked)?.semver, s.isPrerelease {
            return gate.contains(s.core)
        }
        return true
    }
}

/// Versions whose pre-release admission follows the npm/Cargo comparator-set rule.
protocol SemverBacked {
    var semver: SemanticVersion { get }
}

extension SemanticVersion: SemverBacked {
    var semver: SemanticVersion { self }
}
extension NpmVersion: SemverBacked {}
extension CargoVersion: SemverBacked {}
extension GoModuleVersion: SemverBacked {}
