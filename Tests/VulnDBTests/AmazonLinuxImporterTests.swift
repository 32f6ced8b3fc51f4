import Foundation
import Testing
@testable import VulnDB

/// Amazon Linux advisories from `updateinfo.xml` (Amazon Linux 2 and 2023).
@Suite struct AmazonLinuxImporterTests {
    @Test func amazonLinux2023() throws {
        let r = try Fixtures.run(AmazonLinuxImporter(), "amazon/al2023")
        #expect(r.report.format == "amazon-alas")
        #expect(r.report.records == 3)
        #expect(r.report.ignored == 1)  // the bug-fix update
        #expect(r.report.skipped == 0)

        let curl = try #require(r.vulns.byID("ALAS2023-2024-451"))
        #expect(curl.aliases.sorted() == ["CVE-2023-46218", "CVE-2023-46219"])
        #expect(curl.severities.first?.label == "MEDIUM")
        #expect(curl.severities.first?.source == "amazon-linux")
        #expect(curl.published == "2024-01-03 21:48:00")
        #expect(curl.summary?.contains("curl") == true)
        // One entry per binary package name, whatever the architectures; the src entry names the
        // source package (here the same as the binary).
        let packages = r.affected.of("ALAS2023-2024-451")
        #expect(Set(packages.map(\.package)) == ["curl", "libcurl"])
        #expect(packages.count == 2)
        let libcurl = try #require(packages.first { $0.package == "libcurl" })
        #expect(libcurl.namespace == "amazon:2023")
        #expect(libcurl.ecosystem == .rpm)
        #expect(libcurl.fixedVersions == ["8.5.0-1.amzn2023.0.2"])
        #expect(try libcurl.isAffected(version: "8.3.0-1.amzn2023.0.1"))
        #expect(try libcurl.isAffected(version: "8.5.0-1.amzn2023.0.1"))
        #expect(try !libcurl.isAffected(version: "8.5.0-1.amzn2023.0.2"))

        // Epochs are kept, and compared: 1:1.1.1k is below 1:3.0.8, and an epoch outranks any version.
        let openssl = try #require(r.affected.of("ALAS2023-2024-520").first { $0.package == "openssl-libs" })
        #expect(openssl.fixedVersions == ["1:3.0.8-1.amzn2023.0.12"])
        #expect(try openssl.isAffected(version: "1:3.0.8-1.amzn2023.0.11"))
        #expect(try !openssl.isAffected(version: "1:3.0.8-1.amzn2023.0.12"))
        #expect(try !openssl.isAffected(version: "2:1.0-1"))
        #expect(r.vulns.byID("ALAS2023-2024-520")?.severities.first?.label == "HIGH")  // "Important"
        // CDATA text is read like any other.
        #expect(r.vulns.byID("ALAS2023-2024-520")?.details?.contains("PKCS12") == true)
    }

    @Test func amazonLinux2AndItsExtras() throws {
        let r = try Fixtures.run(AmazonLinuxImporter(), "amazon/al2")
        #expect(r.report.records == 2)
        #expect(r.report.skipped == 2)  // a foreign id, a package without a version
        #expect(r.affected.of("ALAS2-2024-2458").allSatisfy { $0.namespace == "amazon:2" })
        #expect(r.affected.of("ALAS2KERNEL-5.10-2024-045").first?.namespace == "amazon:2")
        #expect(r.affected.of("ALAS2KERNEL-5.10-2024-045").first?.fixedVersions == ["5.10.209-205.855.amzn2"])
    }

    @Test func namespacesFromIDs() {
        #expect(AmazonLinuxImporter.namespace(of: "ALAS2023-2024-001") == "amazon:2023")
        #expect(AmazonLinuxImporter.namespace(of: "ALAS2022-2022-100") == "amazon:2022")
        #expect(AmazonLinuxImporter.namespace(of: "ALAS2-2019-1234") == "amazon:2")
        #expect(AmazonLinuxImporter.namespace(of: "ALAS2ECS-2023-013") == "amazon:2")
        #expect(AmazonLinuxImporter.namespace(of: "ALAS-2017-900") == "amazon:1")
        #expect(AmazonLinuxImporter.namespace(of: "RHSA-2024:0001") == nil)
        #expect(AmazonLinuxImporter.rpmVersion(epoch: "0", version: "1.0", release: "2.amzn2") == "1.0-2.amzn2")
        #expect(AmazonLinuxImporter.rpmVersion(epoch: nil, version: "1.0", release: nil) == "1.0")
        #expect(AmazonLinuxImporter.rpmVersion(epoch: "3", version: "1.0", release: "1") == "3:1.0-1")
    }

    /// Broken XML costs its file, counted; it never stops the import or crashes it.
    @Test func malformedFilesAreSkipped() throws {
        let r = try Fixtures.run(AmazonLinuxImporter(), "malformed/amazon")
        #expect(r.report.skipped == 1)
        #expect(r.report.records == 0)
        for hostile in ["<updates><update type=\"security\"><id>ALAS2-1</id>" + String(repeating: "<a>", count: 50_000),
                        "<updates>\u{0}</updates>", "", "{\"not\": \"xml\"}"] {
            #expect(throws: (any Error).self) { _ = try UpdateInfoReader.read(Data(hostile.utf8)) }
        }
        // External entities are never fetched: the id stays without the file's contents.
        let external = "<?xml version=\"1.0\"?><!DOCTYPE u [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<updates><update type=\"security\"><id>&x;</id></update></updates>"
        let read = try? UpdateInfoReader.read(Data(external.utf8))
        #expect(read?.first?.id?.contains("root:") != true)
        #expect(try UpdateInfoReader.read(Data("<updates/>".utf8)).isEmpty)
    }

    @Test func recognisedByContent() {
        #expect(AmazonLinuxImporter.recognizes(directory: Fixtures.url("amazon/al2023")))
        #expect(!AmazonLinuxImporter.recognizes(directory: Fixtures.url("alpine-secdb-json")))
        let formats = DataSetDetector.detect(root: Fixtures.url("amazon")).map { $0.1.format }
        #expect(formats == ["amazon-alas"])  // one data set: both releases share the format
    }
}
