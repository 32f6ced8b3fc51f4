import Foundation
import Testing
@testable import Analysis

/// Go binaries built here with go1.19.8 from Fixtures/Go/src (Fixtures/Go/build.sh); expected
/// values are those `go version -m` printed for them (recorded next to each binary in
/// go-binaries.zip as NAME.go-version-m.txt).
@Suite struct GoBinaryAnalyzerTests {
    let analyzer = GoBinaryAnalyzer()

    static let binaries: [String: Data] = (try? Fixtures.unzip("Go/go-binaries.zip")) ?? [:]

    static let helloVariants = [
        "hello-amd64", "hello-amd64-stripped", "hello-386-pointer", "hello-arm64-pointer", "hello-ppc64-pointer",
        "hello-mips-pointer-nosections", "hello-s390x",
    ]

    /// What every hello-* binary holds, as `go version -m` shows it:
    ///     mod  example.com/hello  (devel)
    ///     dep  example.com/greet  v0.0.0      => ../greet (devel)
    ///     dep  example.org/lib    v1.2.3  h1:R2Out…
    ///     dep  example.org/old    v1.0.0      => example.org/new v1.1.0 h1:UY7o…
    static func helloModules(goarch: String) -> [Found] {
        let toolchain = ["goToolchain": "go1.19.8"]
        var main = toolchain.merging([
            "mainModule": "true", "mainPackage": "example.com/hello", "build.-compiler": "gc",
            "build.CGO_ENABLED": "0", "build.GOARCH": goarch, "build.GOOS": "linux",
        ]) { $1 }
        switch goarch {
        case "amd64": main["build.GOAMD64"] = "v1"
        case "386": main["build.GO386"] = "softfloat"
        default: break
        }
        return [
            Found("example.com/hello", "(devel)", main),
            Found("example.com/greet", "(devel)", toolchain.merging(["replacementDir": "../greet", "originalVersion": "v0.0.0"]) { $1 }),
            Found("example.org/lib", "v1.2.3", toolchain.merging(["sum": "h1:R2OutYEl3UV3do2jTWPVutvG4G7rChhG7WC4DHuCbU0="]) { $1 }),
            Found("example.org/new", "v1.1.0", toolchain.merging([
                "sum": "h1:UY7oqwaMWhfAQOOlx+BMvvSGMOA3O3uH7Olk+9napGU=", "originalPath": "example.org/old",
                "originalVersion": "v1.0.0",
            ]) { $1 }),
            Found("stdlib", "1.19.8", toolchain),
        ]
    }

    func binary(_ name: String) throws -> Data {
        try #require(Self.binaries[name], "go-binaries.zip has no \(name)")
    }

    func analyze(_ name: String, _ data: Data, path: String = "/usr/local/bin/hello") async throws -> [Package] {
        try await analyzer.analyze(FileHeader(path: path, size: Int64(data.count), mode: 0o755), .memory(data)).packages
    }

    @Test func amd64BinaryFromMemoryAndFromFile() async throws {
        let data = try binary("hello-amd64")
        let expected = Self.helloModules(goarch: "amd64")
        #expect(try await analyze("hello-amd64", data).found == expected)

        let directory = try ScratchDirectory()
        let url = try directory.write(data, as: "hello")
        let header = FileHeader(path: "/usr/local/bin/hello", size: Int64(data.count), mode: 0o755)
        let packages = try await analyzer.analyze(header, .file(url)).packages
        #expect(packages.found == expected)
        #expect(packages.allSatisfy { $0.type == .golang && $0.location == "/usr/local/bin/hello" })
    }

    @Test(arguments: helloVariants)
    func everyLayoutGivesTheSameModules(name: String) async throws {
        let recorded = String(decoding: try binary(name + ".go-version-m.txt"), as: UTF8.self)
        let goarch = try #require(recorded.split(separator: "\n").first { $0.hasPrefix("\tbuild\tGOARCH=") }?
            .split(separator: "=").last.map(String.init))
        var expected = Self.helloModules(goarch: goarch)
        if name == "hello-amd64-stripped" { expected[0].properties["build.-trimpath"] = "true" }
        #expect(try await analyze(name, try binary(name)).found == expected)
        // The expectation above is what the tool printed for this very file.
        #expect(GoVersionOutput(recorded).packages == expected.map { GoVersionOutput.Module($0) })
    }

    @Test func noModuleBinaryHasOnlyTheToolchain() async throws {
        let packages = try await analyze("nomod-amd64", try binary("nomod-amd64"))
        #expect(packages.found == [Found("stdlib", "1.19.8", ["goToolchain": "go1.19.8"])])
    }

    @Test func nonGoFilesYieldNothing() async throws {
        let rust = try Fixtures.unzip("Rust/rust-binaries.zip")
        #expect(try await analyze("rust", try #require(rust["tiny-app-plain"])).isEmpty)
        #expect(try await analyze("script", Data("#!/bin/sh\necho hi\n".utf8)).isEmpty)
        #expect(try await analyze("empty", Data()).isEmpty)
        #expect(try await analyze("garbage", Data((0 ..< 20000).map { UInt8(truncatingIfNeeded: $0 &* 31) })).isEmpty)
        // An ELF header cut short, and one whose tables point far outside the file.
        let hello = try binary("hello-amd64")
        #expect(try await analyze("cut", hello.prefix(40)).isEmpty)
        var wild = Data(hello.prefix(64))
        wild.replaceSubrange(32 ..< 48, with: [UInt8](repeating: 0xEE, count: 16))
        #expect(try await analyze("wild", wild).isEmpty)
    }

    /// Offset of the build-info magic in a fixture.
    func blobOffset(_ data: Data) throws -> Int {
        let range = try #require(data.range(of: Data(GoBuildInfoReader.magic)))
        return range.lowerBound
    }

    func expectMalformed(_ data: Data, _ comment: Comment) async {
        let error = await #expect(throws: AnalysisError.self, comment) { try await analyze("broken", data) }
        if let error { #expect(isMalformed(error, path: "/usr/local/bin/hello"), comment) }
    }

    @Test func brokenBuildInfoIsAnError() async throws {
        let inline = try binary("hello-amd64")
        let inlineBlob = try blobOffset(inline)

        var hugeLength = inline
        hugeLength.replaceSubrange(inlineBlob + 32 ..< inlineBlob + 42, with: [UInt8](repeating: 0xFF, count: 9) + [0x01])
        await expectMalformed(hugeLength, "version length beyond any limit")

        // "go1.19.8" is at +33 (length byte at +32); the module text's length follows at +41.
        var beyondEnd = inline
        beyondEnd.replaceSubrange(inlineBlob + 41 ..< inlineBlob + 45, with: [0x80, 0x80, 0xC0, 0x07])
        await expectMalformed(beyondEnd, "module text of 15 MiB, past the end of the file")

        var badPointerSize = inline
        badPointerSize[inlineBlob + 14] = 3
        badPointerSize[inlineBlob + 15] = 0
        await expectMalformed(badPointerSize, "pointer size 3")

        let pointer = try binary("hello-386-pointer")
        let pointerBlob = try blobOffset(pointer)
        var wildPointer = pointer
        wildPointer.replaceSubrange(pointerBlob + 16 ..< pointerBlob + 20, with: [0xF0, 0xFF, 0xFF, 0xFF])
        await expectMalformed(wildPointer, "pointer to an unmapped address")

        var emptyVersion = inline
        emptyVersion[inlineBlob + 32] = 0
        await expectMalformed(emptyVersion, "empty Go version")
    }

    @Test func wantsExecutablesThatMayBeCompiled() {
        #expect(analyzer.wants(FileHeader(path: "/usr/local/bin/app", size: 2_000_000, mode: 0o755)))
        #expect(analyzer.wants(FileHeader(path: "/opt/x/lib/libgo.so", size: 2_000_000, mode: 0o755)))
        #expect(!analyzer.wants(FileHeader(path: "/usr/local/bin/app", size: 2_000_000, mode: 0o644)))
        #expect(!analyzer.wants(FileHeader(path: "/usr/local/bin/tiny", size: 100, mode: 0o755)))
        #expect(!analyzer.wants(FileHeader(path: "/usr/bin/run.sh", size: 20_000, mode: 0o755)))
        #expect(!analyzer.wants(FileHeader(path: "/usr/lib/tool.PY", size: 20_000, mode: 0o755)))
    }

    @Test func stdlibVersionDropsTheGoPrefix() {
        #expect(GoBinaryAnalyzer.stdlibVersion("go1.21.3") == "1.21.3")
        #expect(GoBinaryAnalyzer.stdlibVersion("go1.22.1 X:boringcrypto") == "1.22.1")
        #expect(GoBinaryAnalyzer.stdlibVersion("go1.22rc1") == "1.22rc1")
        #expect(GoBinaryAnalyzer.stdlibVersion("devel go1.23-8f3f4d7 Tue Jan 2 +0000") == "devel")
    }

    /// Builds the amd64 binaries afresh with the installed toolchain and compares with what
    /// `go version -m` says about them.
    @Test(.enabled(if: Tool.find("go") != nil && Tool.find("python3") != nil,
                   "needs the go toolchain and python3 (Fixtures/Go/build.sh)"),
          .timeLimit(.minutes(5)))
    func freshBuildMatchesGoVersion() async throws {
        let directory = try ScratchDirectory()
        _ = try Tool.run("sh", [Fixtures.url("Go/build.sh").path, "--quick", directory.url.path])
        for name in ["hello-amd64", "hello-amd64-stripped"] {
            let url = directory.url.appendingPathComponent(name)
            let output = try Tool.run("go", ["version", "-m", url.path])
            let header = FileHeader(path: "/app/\(name)", size: 0, mode: 0o755)
            let packages = try await analyzer.analyze(header, .file(url)).packages
            #expect(packages.map(GoVersionOutput.Module.init) == GoVersionOutput(output).packages, "\(name)")
        }
    }

    @Test func moduleTextParsing() {
        let text = """
            path\tcmd/x
            mod\tex.com/m\tv1.0.0\th1:abc=
            dep\tex.com/a\tv0.1.0
            =>\tex.com/b\tv0.2.0\th1:b=
            =>\tex.com/orphan\tv9\th1:o=
            dep\ttoo\tmany\tcolumns\there
            =>\tex.com/after-bad\tv1\t
            dep\tex.com/c\tv1.2.3\th1:c=
            build\t-ldflags="-s -w -X \\"main.v=1\\""
            build\t"key with space"=`raw value`
            build\tCGO_ENABLED=0
            build\t=missing-key
            dep\tex.com/unterminated\tv1

            """.replacingOccurrences(of: "dep\tex.com/unterminated\tv1\n", with: "dep\tex.com/unterminated\tv1")
        let info = GoModuleInfo(parsing: text)
        #expect(info.mainPackagePath == "cmd/x")
        #expect(info.main == .init(path: "ex.com/m", version: "v1.0.0", sum: "h1:abc=", replacement: nil))
        #expect(info.dependencies == [
            .init(path: "ex.com/a", version: "v0.1.0", sum: "", replacement: .init(path: "ex.com/b", version: "v0.2.0", sum: "h1:b=")),
            .init(path: "ex.com/c", version: "v1.2.3", sum: "h1:c=", replacement: nil),
        ])
        #expect(info.settings.map { "\($0.key)|\($0.value)" } == [
            "-ldflags|-s -w -X \"main.v=1\"", "key with space|raw value", "CGO_ENABLED|0",
        ])
    }
}

/// `go version -m` output, read back into the packages the analyzer is expected to report (the
/// replacement rules of GoBinaryAnalyzer: module replacements report the replacement, directory
/// replacements keep the module path with the replacement's version).
struct GoVersionOutput {
    struct Module: Equatable, CustomStringConvertible {
        var name: String
        var version: String
        var main: Bool

        init(name: String, version: String, main: Bool) {
            self.name = name
            self.version = version
            self.main = main
        }

        init(_ found: Found) {
            self.init(name: found.name, version: found.version, main: found.properties["mainModule"] == "true")
        }

        init(_ package: Package) {
            self.init(Found(package))
        }

        var description: String { "\(name)@\(version)\(main ? " (main)" : "")" }
    }

    var packages: [Module] = []

    init(_ output: String) {
        var goVersion = ""
        for line in output.split(separator: "\n") {
            if !line.hasPrefix("\t") {
                // "FILE: go1.19.8" from the tool, or the bare version recorded in the fixtures.
                goVersion = String(line.split(separator: " ").last ?? "")
                continue
            }
            let columns = line.dropFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch columns.first {
            case "mod": packages.append(Module(name: columns[1], version: columns[2], main: true))
            case "dep": packages.append(Module(name: columns[1], version: columns[2], main: false))
            case "=>":
                let directory = columns[1].hasPrefix(".") || columns[1].hasPrefix("/")
                if !directory { packages[packages.count - 1].name = columns[1] }
                packages[packages.count - 1].version = columns[2]
            default: break
            }
        }
        packages.append(Module(name: "stdlib", version: String(goVersion.dropFirst(2)), main: false))
    }
}
