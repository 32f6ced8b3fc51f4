import Analysis
import DrydockTestSupport
import Foundation
import OCI
import Testing

/// The layer machinery with real `tar`, `gzip` and `zstd` output: formats, compression,
/// whiteouts across layers, caching, and hostile layers.
@Suite struct LayerWalkTests {
    func analyze(_ layout: String, limits: AnalysisLimits = AnalysisLimits(), cache: LayerCache? = nil) async throws -> ImageInventory {
        var analyzer = ImageAnalyzer(analyzers: [PkgListAnalyzer()], cache: cache)
        analyzer.limits = limits
        let images = try await analyzer.analyze(OCILayoutSource(reference: "oci:\(layout)", directory: layout, tag: nil))
        return try #require(images.first)
    }

    @Test(arguments: [("gnu", "gzip"), ("posix", "zstd"), ("ustar", nil), ("posix", nil)] as [(String, String?)])
    func tarFormatsAndCompression(format: String, compress: String?) async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        // ustar keeps names up to 255 bytes through its prefix field; GNU and PAX go beyond.
        let deep = format == "ustar" ? String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 90)
                                     : (1...12).map { "long-directory-name-\($0)" }.joined(separator: "/")
        let layer = try await factory.layer("one", files: [
            "usr/lib/a.pkg": "alpha 1.0\nbeta 2.0",
            "\(deep)/deep.pkg": "gamma 3.0",
            "etc/ignored.txt": "not wanted",
        ], format: format, compress: compress)
        let inventory = try await analyze(try factory.layout("one", layers: [layer]))
        #expect(inventory.summary == [
            "alpha 1.0 /usr/lib/a.pkg", "beta 2.0 /usr/lib/a.pkg", "gamma 3.0 /\(deep)/deep.pkg",
        ])
        #expect(inventory.packages.allSatisfy { $0.layerDigest == inventory.layers[0].digest })
        #expect(inventory.errors.isEmpty)
    }

    @Test func whiteoutsApplyAcrossLayers() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let base = try await factory.layer("base", files: [
            "a/x.pkg": "x 1", "a/kept.pkg": "kept 1",
            "b/old.pkg": "old 1", "c/z.pkg": "z 1", "d/replaced.pkg": "replaced 1",
        ], compress: "gzip")
        // The deletion layer is written by hand-made whiteout files, as image builders do.
        let upper = try await factory.layer("upper", files: [
            "a/.wh.x.pkg": "", "b/.wh..wh..opq": "", "b/new.pkg": "new 2", ".wh.c": "",
            "d/replaced.pkg": "replaced 2",
        ], compress: "gzip")
        let readd = try await factory.layer("readd", files: ["c/z.pkg": "z 3"], compress: "gzip")
        let inventory = try await analyze(try factory.layout("wh", layers: [base, upper, readd]))
        #expect(inventory.summary == [
            "kept 1 /a/kept.pkg", "new 2 /b/new.pkg", "replaced 2 /d/replaced.pkg", "z 3 /c/z.pkg",
        ])
        let byName = Dictionary(uniqueKeysWithValues: inventory.packages.map { ($0.name, $0.layerDigest) })
        #expect(byName["kept"] == inventory.layers[0].digest)
        #expect(byName["replaced"] == inventory.layers[1].digest)
        #expect(byName["z"] == inventory.layers[2].digest)
        #expect(inventory.layers.map(\.packageCount) == [1, 2, 1])
    }

    @Test func hardLinksCarryTheirTargetsPackages() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        // "a/deps.pkg" sorts first, so tar stores it as the file and "b/deps.pkg" as a link to it.
        // "z/late.pkg" links to a file no analyzer read: it is reported, not silently missed.
        let base = try await factory.layer("links", files: ["a/deps.pkg": "linked 1", "data/blob": "hidden 2"],
                                           hardlinks: ["b/deps.pkg": "a/deps.pkg", "z/late.pkg": "data/blob"], format: "gnu")
        // Deleting the target later keeps what the link still holds.
        let upper = try await factory.layer("rm", files: ["a/.wh.deps.pkg": ""])
        let inventory = try await analyze(try factory.layout("links", layers: [base, upper]))
        #expect(inventory.summary == ["linked 1 /b/deps.pkg"])
        #expect(inventory.packages.first?.layerDigest == inventory.layers[0].digest)
        #expect(inventory.errors.contains { $0.contains("/z/late.pkg") && $0.contains("hard link to /data/blob") })
    }

    @Test func secondAnalysisComesFromTheCache() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let layer = try await factory.layer("c", files: ["x.pkg": "cached 1"], compress: "zstd")
        let layout = try factory.layout("c", layers: [layer])
        let cache = LayerCache(directory: factory.root.appendingPathComponent("cache"))
        let cold = try await analyze(layout, cache: cache)
        let warm = try await analyze(layout, cache: cache)
        #expect(cold.layers.map(\.fromCache) == [false])
        #expect(warm.layers.map(\.fromCache) == [true])
        #expect(warm.summary == cold.summary)
        // A damaged cache entry is a miss, not an error.
        let entries = try FileManager.default.contentsOfDirectory(at: cache.directory, includingPropertiesForKeys: nil)
        try Data("{broken".utf8).write(to: try #require(entries.first))
        let repaired = try await analyze(layout, cache: cache)
        #expect(repaired.layers.map(\.fromCache) == [false])
        #expect(repaired.summary == cold.summary)
    }

    @Test func truncatedLayerNamesTheLayer() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let layer = try await factory.layer("t", files: ["x.pkg": String(repeating: "pkg 1\n", count: 50_000)], compress: "gzip")
        let bytes = try Data(contentsOf: layer)
        try bytes.prefix(bytes.count / 2).write(to: layer)
        let layout = try factory.layout("t", layers: [layer])
        await #expect(throws: AnalysisError.self) { try await analyze(layout) }
        do { _ = try await analyze(layout) } catch let error as AnalysisError {
            #expect(error.description.hasPrefix("layer 1 (sha256:"))
            #expect(error.description.contains("truncated"))
        }
    }

    @Test func garbageAndCorruptBlobsAreErrors() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let garbage = factory.root.appendingPathComponent("garbage.bin")
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: garbage)
        await #expect(throws: AnalysisError.self) { try await analyze(try factory.layout("g", layers: [garbage])) }

        let good = try await factory.layer("ok", files: ["x.pkg": "x 1"], compress: "gzip")
        let corrupt = try factory.layout("corrupt", layers: [good], corruptLayer: 0)
        do {
            _ = try await analyze(corrupt)
            Issue.record("a blob that does not match its digest was accepted")
        } catch let error as AnalysisError {
            // Depending on where the flipped byte lands, gzip, tar or the digest check notices first.
            #expect(error.description.hasPrefix("layer 1 (sha256:"))
        }
    }

    @Test func sparseFilesAreReadAndBoundsGivePartialInventories() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        // "a.pkg" sorts before "zeros.bin": tar stores it first. 64 MB of zeros gzip to ~64 KB,
        // 1000:1 — a sparse file, not a reason to refuse the layer.
        let sparse = try await factory.layer("sparse", files: ["a.pkg": "alpha 1", "zeros.bin": String(repeating: "\0", count: 64 << 20)],
                                             compress: "gzip")
        let whole = try await analyze(try factory.layout("sparse", layers: [sparse]))
        #expect(whole.summary == ["alpha 1 /a.pkg"])
        #expect(whole.incomplete == nil)

        // A bound on the layer's bytes: what was read before it is reported, marked incomplete.
        var small = AnalysisLimits()
        small.maxLayerSize = 8 << 20
        let cache = LayerCache(directory: factory.root.appendingPathComponent("cache"))
        let partial = try await analyze(try factory.layout("sparse-bounded", layers: [sparse]), limits: small, cache: cache)
        #expect(partial.summary == ["alpha 1 /a.pkg"])
        let reasons = try #require(partial.incomplete)
        #expect(reasons.count == 1 && reasons[0].hasPrefix("layer 1 (sha256:") && reasons[0].contains("more than 8388608 bytes"), "\(reasons)")
        // A partial layer is not cached: read again without the bound, it is complete.
        let again = try await analyze(try factory.layout("sparse-again", layers: [sparse]), cache: cache)
        #expect(again.incomplete == nil && again.layers[0].fromCache == false)
        // The image's own bounds: bytes over all layers, and time.
        var image = AnalysisLimits()
        image.maxImageSize = 8 << 20
        #expect(try await analyze(try factory.layout("image-bounded", layers: [sparse]), limits: image).incomplete?.first?
            .contains("more than 8388608 bytes") == true)
        var quick = AnalysisLimits()
        quick.maxImageSeconds = 0
        #expect(try await analyze(try factory.layout("time-bounded", layers: [sparse]), limits: quick).incomplete?.first?
            .contains("took longer than") == true)

        // A flood of entries: the first ones are reported.
        var files: [String: String?] = [:]
        for i in 0..<50 { files[String(format: "f%02d.pkg", i)] = "p\(i) 1" }
        let flood = try await factory.layer("flood", files: files)
        var few = AnalysisLimits()
        few.maxEntries = 20
        let flooded = try await analyze(try factory.layout("flood", layers: [flood]), limits: few)
        #expect((flooded.incomplete?.first ?? "").contains("more than 20 entries"))
        #expect(!flooded.summary.isEmpty && flooded.summary.count < 50)
    }

    @Test func largeWantedFilesSpillToDiskAndEscapingNamesStayInside() async throws {
        let factory = try LayerFactory()
        defer { factory.cleanup() }
        let big = (0..<40_000).map { "package-\($0) 1.\($0)" }.joined(separator: "\n")
        let layer = try await factory.layer("big", files: ["opt/big.pkg": big], compress: "gzip")
        var limits = AnalysisLimits()
        limits.maxInMemoryFile = 64 << 10
        let inventory = try await analyze(try factory.layout("big", layers: [layer]), limits: limits)
        #expect(inventory.packages.count == 40_000)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("drydock-layer-") }
        #expect(leftovers.isEmpty)

        // Names that try to climb out of the root are clamped to it (nothing is extracted anyway).
        let hostile = factory.root.appendingPathComponent("hostile.tar")
        let script = """
        import io, sys, tarfile
        with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
            for name in ["../../../escape.pkg", "/abs/olute.pkg", "./a/../../b.pkg"]:
                data = b"evil 6.6"
                info = tarfile.TarInfo(name); info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        """
        #expect(try await Command.run(["python3", "-c", script, hostile.path]).succeeded)
        let clamped = try await analyze(try factory.layout("hostile", layers: [hostile]))
        #expect(clamped.summary == ["evil 6.6 /abs/olute.pkg", "evil 6.6 /b.pkg", "evil 6.6 /escape.pkg"])
    }
}
