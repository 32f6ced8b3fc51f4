@testable import Analysis
import Foundation
import Testing

/// The layer cache's binary encoding: everything survives a round trip, and a damaged entry is
/// refused (a cache miss) rather than misread or crashing.
@Suite struct LayerInventoryCodecTests {
    static func sample() -> LayerInventory {
        var inventory = LayerInventory(diffID: "sha256:" + String(repeating: "ab", count: 32))
        inventory.entryCount = 123_456
        inventory.uncompressedSize = 5_000_000_000
        inventory.files["/var/lib/dpkg/status"] = [
            Package(type: .deb, name: "libc6", version: "2.36-9+deb12u4", sourceName: "glibc", sourceVersion: nil, arch: "amd64",
                    licenses: ["LGPL-2.1", "GPL-2"], location: "/var/lib/dpkg/status"),
            Package(type: .deb, name: "bash", version: "5.2.15-2+b2", sourceName: "bash", sourceVersion: "5.2.15-2",
                    arch: "amd64", location: "/var/lib/dpkg/status"),
        ]
        var nested = Package(type: .maven, name: "org.example:inner", version: "1.0", location: "/app/outer.jar",
                             properties: ["nestedPath": "BOOT-INF/lib/inner.jar", "dev": "true"], layerDigest: "sha256:00")
        nested.purl = "pkg:maven/org.example/inner@1.0"
        inventory.files["/app/outer.jar"] = [nested]
        inventory.files["/usr/lib/python3/dist-packages/empty.dist-info/METADATA"] = []
        inventory.files["/opt/ünïcode/package.json"] = [Package(type: .npm, name: "@scope/naïve", version: "", sourceName: "",
                                                                 location: "/opt/ünïcode/package.json")]
        inventory.ownedFiles = ["/usr/lib/python3/dist-packages/x.dist-info/METADATA": "deb:python3-x"]
        inventory.osFiles = ["/etc/os-release": .content("ID=debian\nVERSION_ID=\"12\"\n"), "/etc/debian_version": .symlink("../x")]
        inventory.deleted = ["/tmp/gone", "/etc/old"]
        inventory.opaqueDirectories = ["/var/cache/apt"]
        inventory.errors = ["/app/broken.jar: not a zip archive"]
        return inventory
    }

    @Test func roundTripKeepsEveryField() {
        let inventory = Self.sample()
        let decoded = LayerInventoryCodec.decode(LayerInventoryCodec.encode(inventory))
        #expect(decoded == inventory)
        // nil and "" stay distinct.
        #expect(decoded?.files["/opt/ünïcode/package.json"]?.first?.sourceName == "")
        #expect(decoded?.files["/opt/ünïcode/package.json"]?.first?.sourceVersion == nil)
        #expect(LayerInventoryCodec.decode(LayerInventoryCodec.encode(LayerInventory(diffID: ""))) == LayerInventory(diffID: ""))
    }

    @Test func everyTruncationAndTrailingGarbageIsRefused() {
        let bytes = LayerInventoryCodec.encode(Self.sample())
        for length in 0..<bytes.count {
            #expect(LayerInventoryCodec.decode(Array(bytes[0..<length])) == nil, "prefix of \(length) bytes")
        }
        #expect(LayerInventoryCodec.decode(bytes + [0]) == nil)
        #expect(LayerInventoryCodec.decode(Array("{\"diffID\":\"x\"}".utf8)) == nil, "an old JSON entry is a miss")
    }

    @Test func flippedBytesNeverCrash() {
        let bytes = LayerInventoryCodec.encode(Self.sample())
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            // Any answer is acceptable except a crash or a huge allocation; a decoded value must re-encode.
            if let decoded = LayerInventoryCodec.decode(damaged) {
                #expect(LayerInventoryCodec.decode(LayerInventoryCodec.encode(decoded)) == decoded)
            }
        }
    }
}

/// Stored image inventories (the defender's) round-trip through the binary form, and older JSON
/// entries still read.
@Suite struct ImageInventoryCodecTests {
    @Test func roundTripsAndReadsJSON() throws {
        let packages = [
            Package(type: .deb, name: "openssl", version: "3.0.11-1~deb12u2", sourceName: "openssl", sourceVersion: "3.0.11-1~deb12u2",
                    arch: "amd64", licenses: ["Apache-2.0"], location: "/var/lib/dpkg/status", properties: ["x": "y"], layerDigest: "sha256:aa"),
            Package(type: .pypi, name: "Jinja2", version: "2.10", location: "/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA"),
        ]
        let inventory = ImageInventory(source: "oci:x", manifestDigest: "sha256:bb", configDigest: "sha256:cc", platform: "linux/amd64",
                                       os: nil, layers: [], packages: packages, errors: ["layer 2: odd"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let binary = try ImageInventoryCodec.encode(inventory)
        let decoded = try #require(ImageInventoryCodec.decode(binary))
        #expect(try encoder.encode(decoded) == encoder.encode(inventory))
        let fromJSON = try #require(ImageInventoryCodec.decode(Array(try encoder.encode(inventory))))
        #expect(try encoder.encode(fromJSON) == encoder.encode(inventory))
        #expect(ImageInventoryCodec.decode(Array(binary.dropLast())) == nil, "a truncated entry is refused")
        #expect(ImageInventoryCodec.decode(Array("garbage".utf8)) == nil)
    }

    /// Reading only some packages (a re-match after a database update): the kept ones whole,
    /// the others passed over, corrupt entries still refused.
    @Test func decodesOnlyTheWantedPackages() throws {
        let packages = [
            Package(type: .deb, name: "libssl3", version: "3.0.11-1~deb12u2", sourceName: "openssl", sourceVersion: "3.0.11-1~deb12u2",
                    arch: "amd64", licenses: ["Apache-2.0", "x"], location: "/var/lib/dpkg/status", properties: ["a": "b", "c": "d"],
                    layerDigest: "sha256:aa"),
            Package(type: .deb, name: "bash", version: "5.2.15-2+b2", sourceName: nil, sourceVersion: nil, arch: "amd64",
                    licenses: ["GPL-3.0"], location: "/var/lib/dpkg/status", properties: ["p": "q"], layerDigest: "sha256:aa"),
            Package(type: .pypi, name: "Jinja2", version: "2.10", location: "/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA"),
        ]
        var inventory = ImageInventory(source: "oci:x", packages: packages)
        inventory.packages[2].purl = "pkg:pypi/jinja2@2.10"
        let binary = try ImageInventoryCodec.encode(inventory)
        let kept = try #require(ImageInventoryCodec.decode(binary) { _, type, name, source in
            source == "openssl" || (type == .pypi && name == "Jinja2")
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(kept.packages) == encoder.encode([inventory.packages[0], inventory.packages[2]]))
        #expect(ImageInventoryCodec.decode(binary) { _, _, _, _ in false }?.packages.isEmpty == true)
        for cut in stride(from: 1, to: binary.count, by: 7) {
            #expect(ImageInventoryCodec.decode(Array(binary.prefix(cut))) { _, _, name, _ in name == "bash" } == nil)
        }
    }
}
