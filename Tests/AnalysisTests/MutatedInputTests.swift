import Foundation
import Testing
@testable import Analysis

/// Real fixtures with bytes overwritten at random (seeded, so failures reproduce) where the
/// parsers look: headers, tables, the build-info blob, the zip directory. Whatever comes out, the
/// analyzers must return or throw `AnalysisError` — never trap, hang, or throw anything else.
@Suite struct MutatedInputTests {
    /// SplitMix64: small, seedable, good enough to pick offsets.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
    }

    /// `rounds` copies of `data`, each with 1–8 bytes replaced inside the given ranges.
    static func mutations(of data: Data, in ranges: [Range<Int>], rounds: Int, seed: UInt64) -> [Data] {
        var random = Random(state: seed)
        let ranges = ranges.map { $0.clamped(to: 0 ..< data.count) }.filter { !$0.isEmpty }
        return (0 ..< rounds).map { _ in
            var copy = data
            for _ in 0 ... random.below(8) {
                let range = ranges[random.below(ranges.count)]
                let offset = range.lowerBound + random.below(range.count)
                copy[offset] = random.below(4) == 0 ? [0x00, 0xFF, 0x7F, 0x80][random.below(4)] : UInt8(random.below(256))
            }
            return copy
        }
    }

    func survive(_ analyzer: any Analyzer, _ inputs: [Data], path: String) async {
        var unexpected: [String] = []
        for (index, input) in inputs.enumerated() {
            do {
                _ = try await analyzer.analyze(FileHeader(path: path, size: Int64(input.count), mode: 0o755), .memory(input))
            } catch is AnalysisError {
                continue
            } catch {
                unexpected.append("#\(index): \(error)")
            }
        }
        #expect(unexpected == [])
    }

    @Test func goBinaryHeaders() async throws {
        let binaries = try Fixtures.unzip("Go/go-binaries.zip")
        for name in ["hello-amd64", "hello-386-pointer", "hello-mips-pointer-nosections"] {
            let data = try #require(binaries[name])
            let blob = try #require(data.range(of: Data(GoBuildInfoReader.magic))).lowerBound
            let image = try ELFImage(DataBytes(data))
            var ranges = [0 ..< 64, blob ..< blob + 64]
            if let table = image.sections.first(where: { $0.name == ".shstrtab" }) {
                ranges.append(Int(table.offset) ..< Int(table.offset + table.size))
            }
            ranges.append(max(0, data.count - 4096) ..< data.count)   // section header table at the end
            await survive(GoBinaryAnalyzer(), Self.mutations(of: data, in: ranges, rounds: 150, seed: 1), path: "/bin/\(name)")
        }
    }

    @Test func rustAuditSection() async throws {
        let data = try #require(try Fixtures.unzip("Rust/rust-binaries.zip")["tiny-app-auditable"])
        let section = try #require(try ELFImage(DataBytes(data)).section(named: ".dep-v0"))
        let ranges = [0 ..< 64, Int(section.offset) ..< Int(section.offset + section.size), max(0, data.count - 2048) ..< data.count]
        await survive(RustAuditableAnalyzer(), Self.mutations(of: data, in: ranges, rounds: 300, seed: 2), path: "/bin/tiny-app")
    }

    @Test(arguments: ["app.jar", "app.war", "deep.jar", "maven3-slf4j-provider-3.8.7.jar"])
    func javaArchives(name: String) async throws {
        let data = try Fixtures.data("Java/\(name)")
        let end = try #require(data.range(of: Data([0x50, 0x4B, 0x05, 0x06]), options: .backwards)).lowerBound
        let directory = Int(data[end + 16]) | Int(data[end + 17]) << 8 | Int(data[end + 18]) << 16
        // Mostly the directory and end record; sometimes anywhere (local headers, nested jars).
        let ranges = [directory ..< data.count, directory ..< data.count, 0 ..< data.count]
        await survive(JavaArchiveAnalyzer(), Self.mutations(of: data, in: ranges, rounds: 300, seed: 3), path: "/opt/\(name)")
    }
}
