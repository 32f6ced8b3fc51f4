import Testing
import Versioning

/// Garbage must be rejected or ordered, never crash: version strings come from untrusted images.
@Suite struct RobustnessTests {
    static let nasty: [String] = [
        "", " ", "\t", "-", ":", "::", "~", "^", "+", ".", "..", "v", "=", "*", "x", "!", "1!", "!1", "[", "(,)", "[,]", "||", "-r",
        "_", "_p", "1_", "1.", ".1", "1..2", "1--2", "a", "é", "1.0é", "💥", "\u{0}", "1\u{0}2", "1:", "1:-", ":1", "-1", "1-",
        String(repeating: "9", count: 400), "1." + String(repeating: "9", count: 200), String(repeating: "1.", count: 300) + "1",
        "2024" + String(repeating: "01", count: 40), "99999999999999999999:1.0", "1.0-" + String(repeating: "r", count: 100),
        String(repeating: "~", count: 100), String(repeating: "-", count: 50), "1.0.0-" + String(repeating: "a.", count: 100) + "a",
        "dev-", "dev-master", "1.0.x-dev", "1.0+", "1.0+a..b", "v1.2.3+incompatible+x", "1.2.3-00", "01.2.3", "1.2.3.4.5",
    ]

    @Test(arguments: Ecosystem.allCases)
    func garbageNeverCrashes(_ ecosystem: Ecosystem) {
        var parsed: [String] = []
        for s in Self.nasty {
            if (try? VersionComparator(ecosystem).validate(s)) != nil { parsed.append(s) }
            _ = try? VersionRange.parse(s, ecosystem: ecosystem)
            _ = try? VersionRange.parse(">= " + s, ecosystem: ecosystem)
        }
        // Whatever was accepted must order consistently with itself and with the others.
        for a in parsed {
            #expect((try? compare(a, a, in: ecosystem)) == .equal, "\(ecosystem): \(a) != itself")
            for b in parsed {
                let x = try? compare(a, b, in: ecosystem), y = try? compare(b, a, in: ecosystem)
                #expect(x?.rawValue == y.map { -$0.rawValue }, "\(ecosystem): \(a) vs \(b) not antisymmetric")
            }
        }
    }

    @Test(arguments: Ecosystem.allCases)
    func hugeNumbersCompareExactly(_ ecosystem: Ecosystem) throws {
        let small = "1.2." + String(repeating: "9", count: 60)
        let big = "1.2.1" + String(repeating: "0", count: 60)
        let a = ecosystem == .go ? "v" + small : small
        let b = ecosystem == .go ? "v" + big : big
        #expect(try compare(a, b, in: ecosystem) == .less)
    }

    @Test func errorsCarryInputAndReason() {
        do {
            _ = try SemanticVersion("1.2")
            Issue.record("1.2 is not SemVer")
        } catch {
            #expect(error.input == "1.2")
            #expect(!error.reason.isEmpty)
        }
    }
}
