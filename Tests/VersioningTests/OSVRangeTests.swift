import Testing
import Versioning

@Suite struct OSVRangeTests {
    struct Case: Sendable, CustomStringConvertible {
        let events: [OSVEvent]
        let ecosystem: Ecosystem
        let inside: [String]
        let outside: [String]
        var description: String { "\(ecosystem): \(events)" }
    }

    static let cases: [Case] = [
        Case(events: [.introduced("0"), .fixed("1.2.3")], ecosystem: .npm,
             inside: ["0.0.1", "1.2.2"], outside: ["1.2.3", "2.0.0"]),
        Case(events: [.introduced("1.0"), .lastAffected("1.4")], ecosystem: .pep440,
             inside: ["1.0", "1.4", "1.4.0"], outside: ["0.9", "1.4.post1", "1.5"]),
        Case(events: [.introduced("0")], ecosystem: .go,
             inside: ["0.0.0-20200101000000-abcdefabcdef", "v9.9.9"], outside: []),
        // Two affected stretches; events deliberately out of order: OSV sorts them.
        Case(events: [.introduced("2.0.0"), .fixed("2.1.5"), .introduced("1.0.0"), .fixed("1.4.2")], ecosystem: .semver,
             inside: ["1.0.0", "1.4.1", "2.0.0", "2.1.4"], outside: ["0.9.0", "1.4.2", "1.9.9", "2.1.5"]),
        Case(events: [.introduced("0"), .fixed("1:2.36-9+deb12u4")], ecosystem: .dpkg,
             inside: ["2.36-9+deb12u3", "1:2.36-9+deb12u4~rc1"], outside: ["1:2.36-9+deb12u4", "1:2.37-1"]),
        Case(events: [.introduced("1.0.0"), .limit("1.5.0")], ecosystem: .cargo,
             inside: ["1.0.0", "1.4.9"], outside: ["1.5.0", "3.0.0", "0.9.0"]),
        Case(events: [.introduced("1.0"), .fixed("1.0")], ecosystem: .maven,
             inside: [], outside: ["0.9", "1.0", "1.1"]),
        Case(events: [.introduced("0"), .fixed("3.0.0-r2")], ecosystem: .apk,
             inside: ["3.0.0-r1", "3.0.0_rc1-r0"], outside: ["3.0.0-r2", "3.0.1-r0"]),
    ]

    @Test(arguments: cases)
    func eventsBecomeIntervals(_ c: Case) throws {
        let range = try VersionRange.osv(c.events, ecosystem: c.ecosystem)
        for v in c.inside { #expect(try range.contains(v, ecosystem: c.ecosystem), "\(v) should be inside \(range)") }
        for v in c.outside { #expect(try !range.contains(v, ecosystem: c.ecosystem), "\(v) should be outside \(range)") }
    }

    @Test func unparseableEventVersionIsAnError() {
        #expect(throws: VersionParseError.self) {
            try VersionRange.osv([.introduced("0"), .fixed("not a version")], ecosystem: .semver)
        }
    }
}
