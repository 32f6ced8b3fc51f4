/// OSV `ranges[].events` (https://ossf.github.io/osv-schema/), evaluated as the schema's
/// reference algorithm does: events sorted by version, `introduced: "0"` meaning "from the start".
public enum OSVEvent: Sendable, Equatable {
    case introduced(String)
    case fixed(String)
    case lastAffected(String)
    case limit(String)

    var version: String {
        switch self {
        case .introduced(let v), .fixed(let v), .lastAffected(let v), .limit(let v): return v
        }
    }
}

extension VersionRange {
    public static func osv(_ events: [OSVEvent], ecosystem: Ecosystem) throws(VersionParseError) -> VersionRange {
        var keyed: [(event: OSVEvent, order: Int)] = []
        for (i, e) in events.enumerated() { keyed.append((e, i)) }
        // Validate every version up front so sorting cannot fail half way.
        for (e, _) in keyed where !(e == .introduced("0") || e == .limit("*")) { _ = try ecosystem.parse(e.version) }
        func isStart(_ e: OSVEvent) -> Bool { e == .introduced("0") }
        let sorted = keyed.sorted { x, y in
            if isStart(x.event) != isStart(y.event) { return isStart(x.event) }
            if isStart(x.event) || x.event == .limit("*") || y.event == .limit("*") { return x.order < y.order }
            let c = (try? compare(x.event.version, y.event.version, in: ecosystem)) ?? .equal
            return c == .equal ? x.order < y.order : c == .less
        }
        var out: [Interval] = []
        var start: Bound?? = nil  // .some(nil) = affected from the beginning
        var limits: [String] = []
        var unlimited = false
        for (e, _) in sorted {
            switch e {
            case .introduced(let v):
                if start == nil { start = .some(v == "0" ? nil : Bound(v, inclusive: true)) }
            case .fixed(let v):
                if let s = start { out.append(Interval(lower: s, upper: Bound(v, inclusive: false))); start = nil }
            case .lastAffected(let v):
                if let s = start { out.append(Interval(lower: s, upper: Bound(v, inclusive: true))); start = nil }
            case .limit(let v):
                if v == "*" { unlimited = true } else { limits.append(v) }
            }
        }
        if let s = start { out.append(Interval(lower: s, upper: nil)) }
        var range = VersionRange(out)
        // A version is affected only below some limit: the largest limit bounds everything.
        if !unlimited, var top = limits.first {
            for l in limits.dropFirst() where try compare(l, top, in: ecosystem) == .greater { top = l }
            range = try range.intersection(VersionRange([.lessThan(top)]), ecosystem: ecosystem)
        }
        return range
    }
}
