import Testing
@testable import VulnDB

@Suite struct CVSSTests {
    @Test(arguments: [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", 3.5),
        ("CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:L/I:N/A:N", 3.5),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N", 4.8),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:N", 5.5),
    ])
    func v3BaseScores(vector: String, expected: Double) {
        #expect(CVSS.v3BaseScore(vector) == expected)
    }

    @Test func labels() throws {
        let low = try #require(Severity.cvss(vector: "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", source: "t"))
        #expect(low.label == "LOW")
        #expect(low.type == .cvssV3)
        #expect(Severity.cvss(vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", source: "t")?.label == "CRITICAL")
        // v4: vector kept, score only when given.
        let v4 = try #require(Severity.cvss(vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", source: "t"))
        #expect(v4.type == .cvssV4)
        #expect(v4.score == nil)
        #expect(Severity.cvss(vector: "not a vector", source: "t") == nil)
        #expect(CVSS.v3BaseScore("CVSS:3.1/AV:X/AC:L") == nil)
    }

    @Test func v2BaseScores() {
        #expect(CVSS.v2BaseScore("AV:N/AC:L/Au:N/C:P/I:P/A:P") == 7.5)
        #expect(CVSS.v2BaseScore("AV:N/AC:M/Au:N/C:N/I:P/A:N") == 4.3)
        #expect(CVSS.v2BaseScore("AV:N/AC:L/Au:N/C:C/I:C/A:C") == 10.0)
    }

    @Test func qualitativeWords() {
        #expect(Severity.qualitative("MODERATE", source: "s") == Severity(source: "s", type: .qualitative, vector: "MODERATE", label: "MEDIUM"))
        #expect(Severity.qualitative("unimportant", source: "s")?.label == "LOW")
        #expect(Severity.qualitative("not yet assigned", source: "s") == nil)
    }
}
