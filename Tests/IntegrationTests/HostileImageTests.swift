import DrydockTestSupport
import Foundation
import Testing

/// Images built to attack the analysis (Scripts/hostile_layout.py): a layer inflating to 10 GiB
/// of zeros, a million tar entries, names leaving the root, symlink loops, a hard link out of
/// the layer, a file 10,000 directories deep, a 4 GiB GNU sparse file; a nested index; a layer
/// that does not match its digest. `drydock sbom` reads them as a user would run it — its own
/// HOME, TMPDIR and working directory — under `/usr/bin/time` for its peak memory.
@Suite struct HostileImageTests {
    static let timeWorks = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")

    @Test(.enabled(if: timeWorks, "GNU time (Debian's `time`) measures the peak memory"))
    func hostileLayersGiveACompleteInventoryInBoundedTimeAndMemory() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try await Command.run(["python3", Fixtures.scripts + "/hostile_layout.py", dir + "/layouts"])
        #expect(made.succeeded, "\(made.stderr)")
        for own in ["home", "tmp", "work"] { try FileManager.default.createDirectory(atPath: dir + "/" + own, withIntermediateDirectories: true) }
        let environment = ["HOME": dir + "/home", "TMPDIR": dir + "/tmp"]

        let started = Date()
        let run = try await Command.run(["/usr/bin/time", "-f", "peak-kb %M", "timeout", "600", binary, "sbom",
                                         "oci:\(dir)/layouts/hostile", "--no-cache", "--format", "json", "--output", dir + "/out.json"],
                                        environment: environment, directory: dir + "/work")
        let seconds = Date().timeIntervalSince(started)
        #expect(run.succeeded, "\(run.stderr.suffix(2000))")
        let peak = run.stderr.split(separator: "\n").last { $0.hasPrefix("peak-kb ") }.flatMap { Int($0.dropFirst(8)) } ?? .max
        #expect(peak < 200 * 1024, "peak memory \(peak) KB")
        // A debug build on two cores reads the 10 GiB and the million entries in about a minute.
        #expect(seconds < 300, "took \(seconds) s")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out.json"))) as? [String: Any]
        let image = try #require((json?["images"] as? [[String: Any]])?.first)
        let packages = (image["packages"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["location"] as? String ?? "") }
        // Every package is found: before the zeros, after a million entries, beside the sparse
        // file, at depth 10,000; the climbing name is clamped to the root.
        #expect(Set(packages.map(\.0)) == ["requests", "flood-survivor", "climber", "deep", "sparse-neighbour"], "\(packages.map(\.0))")
        #expect(packages.first { $0.0 == "climber" }?.1 == "/usr/local/lib/python3.11/site-packages/climber-6.6.dist-info/METADATA")
        #expect(packages.first { $0.0 == "deep" }?.1.split(separator: "/").count == 10_000 + 7)
        #expect(image["incomplete"] == nil, "no bound is reached by default: \(image["incomplete"] ?? "")")
        let errors = image["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("linked-1.0.dist-info/METADATA: hard link to /etc/shadow") }, "\(errors)")
        #expect(image["os"] == nil, "the os-release symlink loop identifies nothing")

        // Nothing was written outside its temporary directory, which it left empty.
        for name in ["/tmp/drydock-hostile-escape", "/tmp/drydock-hostile-absolute"] { #expect(!FileManager.default.fileExists(atPath: name)) }
        for own in ["home", "tmp", "work"] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/" + own).isEmpty, "\(own) is not empty")
        }

        // With a tighter bound the same image gives what was read before it, marked incomplete.
        let bounded = try await Command.run([binary, "sbom", "oci:\(dir)/layouts/hostile", "--no-cache", "--format", "json",
                                             "--max-image-size", String(1 << 30)], environment: environment, directory: dir + "/work")
        #expect(bounded.succeeded, "\(bounded.stderr.suffix(1000))")
        let partial = try #require(((try JSONSerialization.jsonObject(with: Data(bounded.stdout.utf8)) as? [String: Any])?["images"] as? [[String: Any]])?.first)
        let reasons = partial["incomplete"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("layer 1 (sha256:") && $0.contains("more than 1073741824 bytes") }, "\(reasons)")
        #expect((partial["packages"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "requests" })
        #expect(bounded.stderr.contains("incomplete"), "the command says so on standard error too: \(bounded.stderr)")
    }

    @Test func aNestedIndexAndACorruptLayerAreOneLineFailures() async throws {
        let binary = try await Fixtures.drydockBinary
        let dir = try TemporaryDirectory.make(prefix: "hostile-small")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Command.run(["python3", Fixtures.scripts + "/hostile_layout.py", dir + "/layouts", "--small"]).succeeded)
        for (layout, message) in [("nested", "nested indexes"), ("corrupt", "layer 1 (sha256:")] {
            let result = try await Command.run([binary, "sbom", "oci:\(dir)/layouts/\(layout)", "--no-cache"])
            #expect(!result.succeeded)
            let lines = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n")
            #expect(lines.count == 1 && result.stderr.contains(message), "\(layout): \(result.stderr)")
        }
    }
}
