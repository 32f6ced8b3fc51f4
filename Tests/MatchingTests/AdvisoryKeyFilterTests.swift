import Testing
@testable import Analysis
@testable import Matching

/// The names advisories are keyed by, and the filter a database update's changed keys make.
@Suite struct AdvisoryKeyFilterTests {
    @Test(arguments: [
        ("Django", "django"), ("zope.interface", "zope-interface"), ("typing_extensions", "typing-extensions"),
        ("A--B__C..d", "a-b-c-d"), ("-lead", "-lead"), ("Ünïcode_X", "ünïcode-x"), ("", ""),
    ])
    func pep503Names(_ name: String, _ normalised: String) {
        #expect(AdvisoryKey.pep503(name) == normalised)
    }

    @Test func matchesOnlyPackagesUnderAChangedKey() {
        let debian = OSRelease(family: "debian", version: "12")
        let filter = AdvisoryKeyFilter(keys: ["debian:12|openssl", "pypi|zope-interface"])
        let libssl = Package(type: .deb, name: "libssl3", version: "3.0.11-1", sourceName: "openssl", location: "/var/lib/dpkg/status")
        let bash = Package(type: .deb, name: "bash", version: "5.2", location: "/var/lib/dpkg/status")
        let zope = Package(type: .pypi, name: "zope.interface", version: "5.0", location: "/x/METADATA")
        #expect(filter.matches(libssl, os: debian))
        #expect(!filter.matches(bash, os: debian))
        #expect(filter.matches(zope, os: debian))
        // Keys are per release: Debian 11's openssl is not under debian:12's key.
        #expect(!filter.matches(libssl, os: OSRelease(family: "debian", version: "11")))
        // Asked again (the memo) the answers stay.
        #expect(filter.matches(libssl, os: debian) && !filter.matches(bash, os: debian))
        #expect(filter.mightMatch(type: .deb, name: "libssl3", sourceName: "openssl"))
        #expect(!filter.mightMatch(type: .deb, name: "bash", sourceName: nil))
    }
}
