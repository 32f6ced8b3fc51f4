import Foundation

/// CVSS base-score calculators (FIRST specifications).
public enum CVSS {
    /// Parses `CVSS:3.x/AV:N/...` into its metrics; nil when not a v3 vector.
    static func metrics(_ vector: String) -> [String: String] {
        var m: [String: String] = [:]
        for part in vector.split(separator: "/") {
            let kv = part.split(separator: ":", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let key = String(kv[0])
            if m[key] == nil { m[key] = String(kv[1]) }
        }
        return m
    }

    /// CVSS v3.0/v3.1 base score, exactly as the v3.1 specification computes it (section 7.1),
    /// including its Roundup (Appendix A). v3.0 vectors use the v3.0 Roundup (ceiling to one decimal).
    /// Returns nil when a base metric is missing or invalid.
    public static func v3BaseScore(_ vector: String) -> Double? {
        let m = metrics(vector)
        guard let version = m["CVSS"], version.hasPrefix("3") else { return nil }
        guard let s = m["S"], s == "U" || s == "C" else { return nil }
        let changed = s == "C"
        let av: [String: Double] = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2]
        let ac: [String: Double] = ["L": 0.77, "H": 0.44]
        let pr: [String: Double] = changed ? ["N": 0.85, "L": 0.68, "H": 0.5] : ["N": 0.85, "L": 0.62, "H": 0.27]
        let ui: [String: Double] = ["N": 0.85, "R": 0.62]
        let cia: [String: Double] = ["H": 0.56, "L": 0.22, "N": 0]
        guard let AV = m["AV"].flatMap({ av[$0] }), let AC = m["AC"].flatMap({ ac[$0] }),
              let PR = m["PR"].flatMap({ pr[$0] }), let UI = m["UI"].flatMap({ ui[$0] }),
              let C = m["C"].flatMap({ cia[$0] }), let I = m["I"].flatMap({ cia[$0] }),
              let A = m["A"].flatMap({ cia[$0] }) else { return nil }
        let iss = 1 - ((1 - C) * (1 - I) * (1 - A))
        let impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss
        let exploitability = 8.22 * AV * AC * PR * UI
        if impact <= 0 { return 0 }
        let raw = changed ? min(1.08 * (impact + exploitability), 10) : min(impact + exploitability, 10)
        return version == "3.0" ? roundUp30(raw) : roundUp31(raw)
    }

    /// CVSS v3.1 Appendix A Roundup: avoids floating-point artefacts such as 4.000000001 -> 4.1.
    static func roundUp31(_ x: Double) -> Double {
        let intInput = Int((x * 100_000).rounded())
        if intInput % 10_000 == 0 { return Double(intInput) / 100_000.0 }
        return (floor(Double(intInput) / 10_000.0) + 1) / 10.0
    }

    static func roundUp30(_ x: Double) -> Double {
        ceil(x * 10) / 10
    }

    /// CVSS v2 base score (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally with a `CVSS:2.0/` prefix).
    public static func v2BaseScore(_ vector: String) -> Double? {
        let m = metrics(vector)
        let av: [String: Double] = ["L": 0.395, "A": 0.646, "N": 1.0]
        let ac: [String: Double] = ["H": 0.35, "M": 0.61, "L": 0.71]
        let au: [String: Double] = ["M": 0.45, "S": 0.56, "N": 0.704]
        let cia: [String: Double] = ["N": 0, "P": 0.275, "C": 0.660]
        guard let AV = m["AV"].flatMap({ av[$0] }), let AC = m["AC"].flatMap({ ac[$0] }),
              let Au = m["Au"].flatMap({ au[$0] }), let C = m["C"].flatMap({ cia[$0] }),
              let I = m["I"].flatMap({ cia[$0] }), let A = m["A"].flatMap({ cia[$0] }) else { return nil }
        let impact = 10.41 * (1 - (1 - C) * (1 - I) * (1 - A))
        let exploitability = 20 * AV * AC * Au
        let f = impact == 0 ? 0 : 1.176
        let base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f
        return (base * 10).rounded() / 10
    }
}
