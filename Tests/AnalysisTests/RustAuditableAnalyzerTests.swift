import Foundation
import Testing
import ZIPFoundation
@testable import Analysis

/// A Rust program built here with cargo 1.95, with `.dep-v0` sections added by objcopy
/// (Fixtures/Rust/build.sh); the audit data is Fixtures/Rust/audit-data.json, read back with
/// `objcopy --dump-section .dep-v0=/dev/stdout | zlib-decompress` when the fixture was made.
@Suite struct RustAuditableAnalyzerTests {
    let analyzer = RustAuditableAnalyzer()
    static let binaries: [String: Data] = (try? Fixtures.unzip("Rust/rust-binaries.zip")) ?? [:]
    static let path = "/usr/local/bin/tiny-app"

    func analyze(_ data: Data) async throws -> [Package] {
        try await analyzer.analyze(FileHeader(path: Self.path, size: Int64(data.count), mode: 0o755), .memory(data)).packages
    }

    func binary(_ name: String) throws -> Data {
        try #require(Self.binaries[name], "rust-binaries.zip has no \(name)")
    }

    @Test func auditableBinary() async throws {
        let expected = [
            Found("cc", "1.0.83", ["source": "crates.io", "kind": "build"]),
            Found("forked-log", "0.4.20-fork.1", ["source": "git"]),
            Found("libc", "0.2.150", ["source": "crates.io"]),
            Found("tiny-app", "0.1.0", ["source": "local", "root": "true"]),
            Found("tiny-helper", "0.2.0", ["source": "local"]),
            Found("internal-util", "2.0.0-rc.1", ["source": "registry"]),
        ]
        let data = try binary("tiny-app-auditable")
        let packages = try await analyze(data)
        #expect(packages.found == expected)
        #expect(packages.allSatisfy { $0.type == .cargo && $0.location == Self.path })

        let directory = try ScratchDirectory()
        let url = try directory.write(data, as: "tiny-app")
        let fromFile = try await analyzer.analyze(FileHeader(path: Self.path, size: Int64(data.count), mode: 0o755), .file(url))
        #expect(fromFile.packages.found == expected)
    }

    @Test func binaryWithoutAuditDataYieldsNothing() async throws {
        #expect(try await analyze(try binary("tiny-app-plain")).isEmpty)
        let go = try Fixtures.unzip("Go/go-binaries.zip")
        #expect(try await analyze(try #require(go["hello-amd64"])).isEmpty)
        #expect(try await analyze(Data("not an executable".utf8)).isEmpty)
    }

    @Test(arguments: ["tiny-app-dep-garbage", "tiny-app-dep-truncated", "tiny-app-dep-notjson"])
    func brokenAuditDataIsAnError(name: String) async throws {
        let data = try binary(name)
        let error = await #expect(throws: AnalysisError.self) { try await analyze(data) }
        if let error { #expect(isMalformed(error, path: Self.path)) }
    }

    @Test func auditDataJSONVariants() throws {
        let json = Data("""
            {"packages":[
              {"name":"a","version":"1.0.0","source":{"Other":"sparse+https://example.invalid/index/"}},
              {"name":"no-version","source":"crates.io"},
              {"name":"b","version":"2.0.0","source":"crates.io","kind":"runtime","root":false,"dependencies":[0]},
              "not an object",
              {"name":"c","version":"3.0.0"}
            ]}
            """.utf8)
        let audit = try RustAuditData(json: json)
        #expect(audit.crates == [
            .init(name: "a", version: "1.0.0", source: "sparse+https://example.invalid/index/", kind: nil, isRoot: false),
            .init(name: "b", version: "2.0.0", source: "crates.io", kind: "runtime", isRoot: false),
            .init(name: "c", version: "3.0.0", source: nil, kind: nil, isRoot: false),
        ])
        #expect(throws: RustAuditData.Failure.self) { try RustAuditData(json: Data(#"{"crates":[]}"#.utf8)) }
        #expect(throws: RustAuditData.Failure.self) { try RustAuditData(json: Data("[1,2]".utf8)) }
    }

    /// A zlib stream that inflates to 16 MiB (past the 8 MiB the format allows) is refused
    /// without inflating it all.
    @Test func decompressionBombIsRefused() throws {
        let zeros = Data(count: 16 << 20)
        var deflated = Data()
        _ = try Data.compress(size: Int64(zeros.count), bufferSize: 1 << 16, provider: { position, size in
            zeros.subdata(in: Int(position) ..< Int(position) + size)
        }, consumer: { deflated.append($0) })
        let zlib = Data([0x78, 0x9C]) + deflated + Data([0, 0, 0, 0])
        #expect(deflated.count < 64 * 1024)
        #expect(throws: BoundedInflater.Failure.tooLarge(limit: RustAuditData.maxSize)) {
            try BoundedInflater.inflateZlib(zlib, limit: RustAuditData.maxSize)
        }
        // The same stream within a generous limit inflates exactly.
        #expect(try BoundedInflater.inflateZlib(zlib, limit: 32 << 20) == zeros)
        // Cut short anywhere, it never hangs and never yields the whole content (a cut inside
        // the last block may decode as a shorter stream; callers compare with declared sizes).
        for cut in [3, 100, deflated.count / 2, deflated.count - 1] {
            #expect((try? BoundedInflater.inflateZlib(zlib.prefix(cut + 2), limit: 32 << 20)) != zeros)
        }
        #expect(throws: BoundedInflater.Failure.self) { try BoundedInflater.inflateZlib(Data([0x78, 0x9C]), limit: 100) }
        #expect(throws: BoundedInflater.Failure.self) { try BoundedInflater.inflateZlib(Data([0x1F, 0x8B, 0, 0]), limit: 100) }
    }
}
