import Foundation
import Testing
@testable import Analysis

/// Java archives from Fixtures/Java (built by Fixtures/Java/build.sh from Debian's jars and small
/// synthetic ones). Expected coordinates are what `unzip -p JAR '*pom.properties'` and
/// `unzip -p JAR META-INF/MANIFEST.MF` print for them.
@Suite struct JavaArchiveAnalyzerTests {
    let analyzer = JavaArchiveAnalyzer()

    func analyze(_ name: String, as path: String? = nil, analyzer: JavaArchiveAnalyzer? = nil) async throws -> [Package] {
        let data = try Fixtures.data("Java/\(name)")
        let path = path ?? "/opt/app/lib/\(name)"
        return try await (analyzer ?? self.analyzer).analyze(FileHeader(path: path, size: Int64(data.count)), .memory(data)).packages
    }

    /// Order-independent comparison (nested archives are listed in zip order).
    func sorted(_ found: [Found]) -> [Found] {
        found.sorted { ($0.properties["nestedPath"] ?? "", $0.name) < ($1.properties["nestedPath"] ?? "", $1.name) }
    }

    @Test func debianJarWithPomProperties() async throws {
        let packages = try await analyze("slf4j-nop-1.7.32.jar")
        #expect(packages.found == [Found("org.slf4j:slf4j-nop", "1.7.32")])
        #expect(packages.allSatisfy { $0.type == .maven && $0.location == "/opt/app/lib/slf4j-nop-1.7.32.jar" })
    }

    @Test func shadedJarListsEveryPomProperties() async throws {
        #expect(try await analyze("maven3-slf4j-provider-3.8.7.jar").found == [
            Found("org.apache.maven:maven-slf4j-provider", "3.8.7"),
            Found("org.slf4j:slf4j-simple", "1.7.32"),
        ])
    }

    @Test func manifestOnlyJars() async throws {
        // Implementation-Vendor-Id / Bundle-SymbolicName: org.jsoup; version from the file name.
        #expect(try await analyze("jsoup-1.14.2.jar").found == [Found("org.jsoup:jsoup", "1.14.2", ["identifiedBy": "manifest"])])
        // Debian's guice-jmx: Bundle-SymbolicName com.google.inject.tools.jmx (a wrapped header).
        #expect(try await analyze("guice-jmx-4.2.3.jar").found == [
            Found("com.google.inject.tools.jmx:guice-jmx", "4.2.3", ["identifiedBy": "manifest"]),
        ])
        // Without a version in the file name the manifest's versions are used; Debian's atinject
        // has only Bundle-Version 1.0.0, and a Bundle-SymbolicName (javax.inject) that syft does not
        // take for a group id.
        #expect(try await analyze("atinject-jsr330-api-1.0.jar", as: "/usr/share/java/atinject.jar").found == [
            Found("atinject:atinject", "1.0.0", ["identifiedBy": "manifest"]),
        ])
    }

    @Test func fileNameOnly() async throws {
        // Debian's aopalliance jar has a manifest with nothing but Ant's headers.
        #expect(try await analyze("aopalliance-1.0.jar").found == [Found("aopalliance:aopalliance", "1.0", ["identifiedBy": "filename"])])
        #expect(try await analyze("atinject-jsr330-api-1.0.jar").found == [
            Found("atinject-jsr330-api:atinject-jsr330-api", "1.0", ["identifiedBy": "filename"]),
        ])
    }

    static let fatJarPackages = [
        Found("org.example.oracle:oracle-app", "1.0.0"),
        Found("org.jsoup:jsoup", "1.14.2", ["nestedPath": "BOOT-INF/lib/jsoup-1.14.2.jar", "identifiedBy": "manifest"]),
        Found("org.slf4j:slf4j-nop", "1.7.32", ["nestedPath": "BOOT-INF/lib/slf4j-nop-1.7.32.jar"]),
        Found("org.yaml:snakeyaml", "1.33", ["nestedPath": "BOOT-INF/lib/snakeyaml-1.33.jar"]),
    ]

    @Test func springBootFatJar() async throws {
        let packages = try await analyze("app.jar")
        #expect(sorted(packages.found) == Self.fatJarPackages)
        #expect(packages.allSatisfy { $0.location == "/opt/app/lib/app.jar" })
    }

    @Test func executableJarWithLaunchScriptInFront() async throws {
        #expect(sorted(try await analyze("app-exec.jar").found) == Self.fatJarPackages)
    }

    @Test func warFromFileWithTwoLevelsOfNesting() async throws {
        let data = try Fixtures.data("Java/app.war")
        let directory = try ScratchDirectory()
        let url = try directory.write(data, as: "app.war")
        let header = FileHeader(path: "/srv/tomcat/webapps/app.war", size: Int64(data.count))
        let packages = try await analyzer.analyze(header, .file(url)).packages
        #expect(sorted(packages.found) == [
            Found("org.example:web-app", "3.1"),
            Found("com.google.inject.tools.jmx:guice-jmx", "4.2.3",
                  ["nestedPath": "WEB-INF/lib/guice-jmx-4.2.3.jar", "identifiedBy": "manifest"]),
            Found("org.example:inner-lib", "2.0", ["nestedPath": "WEB-INF/lib/inner-lib-2.0.jar"]),
            Found("org.slf4j:slf4j-nop", "1.7.32", ["nestedPath": "WEB-INF/lib/inner-lib-2.0.jar!lib/slf4j-nop-1.7.32.jar"]),
        ])
        #expect(packages.allSatisfy { $0.location == "/srv/tomcat/webapps/app.war" })
    }

    @Test func nestingStopsFourLevelsDown() async throws {
        let chain = ["lib/level1.jar", "lib/level2.jar", "lib/level3.jar", "lib/level4.jar"]
        var expected = [Found("org.example.deep:deep", "1.0.0")]
        for level in 1 ... 4 {
            expected.append(Found("org.example.deep:level\(level)", "1.0.\(level)",
                                  ["nestedPath": chain.prefix(level).joined(separator: "!")]))
        }
        expected[4].properties["skippedNested"] = "lib/level5.jar: nested more than 4 archives deep"
        #expect(try await analyze("deep.jar").found == expected)
    }

    @Test func nestedArchiveOverTheSizeCapIsSkippedAndNoted() async throws {
        var limits = JavaArchiveScanner.Limits()
        limits.maxNestedArchiveSize = 1 << 20
        let packages = try await analyze("bomb.jar", analyzer: JavaArchiveAnalyzer(limits: limits))
        #expect(packages.found == [
            Found("org.example:bomb", "0.1", ["skippedNested": "BOOT-INF/lib/zeros.jar: larger than 1048576 bytes uncompressed"]),
        ])
        // Under the default cap it is opened, and turns out not to be a zip.
        let opened = try await analyze("bomb.jar")
        #expect(opened.found.map(\.name) == ["org.example:bomb"])
        #expect(opened.first?.properties["skippedNested"]?.hasPrefix("BOOT-INF/lib/zeros.jar: not a zip archive") == true)
    }

    @Test func inflationBudgetAndEntryBudgetAbortTheFile() async throws {
        var limits = JavaArchiveScanner.Limits()
        limits.maxTotalInflatedBytes = 1 << 20
        await expectMalformed("bomb.jar", limits: limits)
        limits = JavaArchiveScanner.Limits()
        limits.maxTotalEntries = 20
        await expectMalformed("app.war", limits: limits)
    }

    /// bomb.jar with its central directory claiming zeros.jar is 1000 bytes: it inflates past
    /// that, so it is skipped as a bomb.
    @Test func entryInflatingBeyondItsDeclaredSize() async throws {
        var data = try Fixtures.data("Java/bomb.jar")
        let zip = try ZipArchive(DataBytes(data), maxEntries: 100)
        let entry = try #require(zip.entries.first { $0.path == "BOOT-INF/lib/zeros.jar" })
        // Patch the uncompressed size (offset 24) of that entry's central directory record.
        let name = Data(entry.path.utf8)
        var searchFrom = data.startIndex
        var patched = false
        while let range = data.range(of: Data([0x50, 0x4B, 0x01, 0x02]), in: searchFrom ..< data.endIndex) {
            if data.count >= range.lowerBound + 46 + name.count, data[range.lowerBound + 46 ..< range.lowerBound + 46 + name.count] == name {
                data.replaceSubrange(range.lowerBound + 24 ..< range.lowerBound + 28, with: [0xE8, 0x03, 0, 0])
                patched = true
            }
            searchFrom = range.upperBound
        }
        #expect(patched)
        let header = FileHeader(path: "/opt/app/bomb.jar", size: Int64(data.count))
        let packages = try await analyzer.analyze(header, .memory(data)).packages
        #expect(packages.found == [
            Found("org.example:bomb", "0.1",
                  ["skippedNested": "BOOT-INF/lib/zeros.jar: inflates beyond its declared size (zip bomb?)"]),
        ])
    }

    func expectMalformed(_ name: String, data: Data? = nil, limits: JavaArchiveScanner.Limits = .init()) async {
        let analyzer = JavaArchiveAnalyzer(limits: limits)
        let path = "/opt/app/lib/\(name)"
        let error = await #expect(throws: AnalysisError.self, "\(name)") {
            let bytes = try data ?? Fixtures.data("Java/\(name)")
            _ = try await analyzer.analyze(FileHeader(path: path, size: Int64(bytes.count)), .memory(bytes))
        }
        if let error { #expect(isMalformed(error, path: path), "\(error)") }
    }

    @Test func corruptArchivesAreErrors() async throws {
        let jar = try Fixtures.data("Java/app.jar")
        await expectMalformed("empty.jar", data: Data())
        await expectMalformed("text.jar", data: Data("just some text, not a zip".utf8))
        await expectMalformed("head.jar", data: jar.prefix(jar.count / 2))
        // The end record kept but the central directory overwritten.
        var wrecked = jar
        let end = try #require(wrecked.range(of: Data([0x50, 0x4B, 0x05, 0x06]), options: .backwards))
        let directoryOffset = Int(wrecked[end.lowerBound + 16]) | Int(wrecked[end.lowerBound + 17]) << 8
        wrecked.replaceSubrange(directoryOffset ..< directoryOffset + 46, with: [UInt8](repeating: 0x41, count: 46))
        await expectMalformed("wrecked.jar", data: wrecked)
        // Sizes in the end record that point outside the file.
        var outside = jar
        outside.replaceSubrange(end.lowerBound + 12 ..< end.lowerBound + 20, with: [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0])
        await expectMalformed("outside.jar", data: outside)
    }

    /// runaway.jar's manifest is a deflate stream that runs into the end of the file: reading it
    /// fails (ZIPFoundation's extract spins forever on it), the manifest is skipped, and the jar
    /// is still named from its file name.
    @Test(.timeLimit(.minutes(1))) func deflateStreamRunningPastTheEndOfTheFile() async throws {
        let data = try Fixtures.data("Java/runaway.jar")
        let zip = try ZipArchive(DataBytes(data), maxEntries: 10)
        let manifest = try #require(zip.entries.first)
        #expect(throws: ZipArchive.Failure.self) { try zip.data(of: manifest, limit: 1 << 20) }
        #expect(try await analyze("runaway.jar").found == [Found("runaway:runaway", "", ["identifiedBy": "filename"])])
    }

    @Test func wantsJavaArchiveExtensions() {
        for path in ["/a/b.jar", "/a/b.WAR", "/a/b.ear", "/a/b.jpi", "/a/b.hpi", "/a/b.par", "/a/b.sar", "/a/b.nar", "/a/b.kar"] {
            #expect(analyzer.wants(FileHeader(path: path, size: 100)), "\(path)")
        }
        for path in ["/a/b.jar.sha1", "/a/jar", "/a/b.zip", "/a/b.class", "/a/b.jarx"] {
            #expect(!analyzer.wants(FileHeader(path: path, size: 100)), "\(path)")
        }
    }

    /// File-name splitting agrees with syft's own regular expressions, evaluated by Go's regexp
    /// package over syft's test names and random ones (Fixtures/Java/filename-cases.tsv).
    @Test func fileNamesSplitAsSyftSplitsThem() throws {
        let table = String(decoding: try Fixtures.data("Java/filename-cases.tsv"), as: UTF8.self)
        var count = 0
        for line in table.split(separator: "\n") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 3 else { continue }
            let parsed = JavaArchiveFilename(columns[0])
            #expect(parsed.name == columns[1] && parsed.version == columns[2], "\(columns[0])")
            count += 1
        }
        #expect(count > 300)
    }

    @Test func hostileFileNamesDoNotBacktrack() {
        let long = String(repeating: "a.", count: 5000) + "-!"
        let started = Date()
        let parsed = JavaArchiveFilename(long + ".jar")
        #expect(parsed.name == "" && parsed.version == "")
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func manifestParsing() {
        let manifest = JarManifest(Data("""
            Manifest-Version: 1.0\r
            Bundle-Description: Guice is a lightweight dependency injection framewor\r
             k for Java 6 and above\r
            implementation-title:MiXeD\r
            no colon here\r
            \r
            Name: org/example/\r
            Specification-Version: 9.9\r
            \r
            \r
            """.utf8))
        #expect(manifest["Bundle-Description"] == "Guice is a lightweight dependency injection framework for Java 6 and above")
        #expect(manifest["Implementation-Title"] == "MiXeD")
        #expect(manifest["Specification-Version"] == nil)
        #expect(manifest.firstValue("Specification-Version") == "9.9")
        #expect(manifest.sections.count == 1)
    }

    @Test func propertiesParsing() {
        let properties = JavaProperties.parse(Data("""
            #Created by Apache Maven 3.6.3
            ! another comment
            groupId=org.example
              artifactId : long\\
                -name
            version 1.0\\u002D\\tbeta
            key\\=with\\:escapes=v
            empty=
            """.utf8))
        #expect(properties == [
            "groupId": "org.example", "artifactId": "long-name", "version": "1.0-\tbeta", "key=with:escapes": "v", "empty": "",
        ])
    }
}
