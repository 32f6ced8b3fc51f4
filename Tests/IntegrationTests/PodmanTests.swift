import DrydockTestSupport
import Foundation
import OCI
import Testing

/// podman push and pull through a real Drydock, plain HTTP (`--tls-verify=false`).
@Suite(.serialized) struct PodmanTests {
    /// podman needs a working storage driver; on machines without one the test says so and is skipped.
    static let podmanWorks: Bool = (try? Command.runBlocking(["podman", "info"], environment: [:], directory: nil))?.succeeded ?? false

    @Test(.enabled(if: podmanWorks, "podman info fails on this machine")) func pushAndPull() async throws {
        let layout = try await Fixtures.debianLayout
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let image = "\(registry.address)/podman/debian:v1"
        // podman names an image pulled from a layout after its path, which must then be a valid
        // repository name: no dots or capitals.
        let source = "/tmp/drydock-podman-\(UUID().uuidString.lowercased().prefix(8))/debian"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: source)
        try FileManager.default.copyItem(atPath: layout, toPath: source)
        defer { try? FileManager.default.removeItem(atPath: (source as NSString).deletingLastPathComponent) }
        let copy = try await Command.run(["podman", "pull", "oci:\(source):latest"])
        #expect(copy.succeeded, "\(copy.stderr)")
        let id = copy.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        let tag = try await Command.run(["podman", "tag", id, image])
        #expect(tag.succeeded)
        let push = try await Command.run(["podman", "push", "--tls-verify=false", image])
        #expect(push.succeeded, "\(push.stderr)")
        let rmi = try await Command.run(["podman", "rmi", "-f", image])
        #expect(rmi.succeeded)
        let pull = try await Command.run(["podman", "pull", "--tls-verify=false", image])
        #expect(pull.succeeded, "\(pull.stderr)")
        let tags = try await registry.store.metadata.tags(repository: "podman/debian", after: nil, limit: 10)
        #expect(tags == ["v1"])
        _ = try? await Command.run(["podman", "rmi", "-f", image, id])
    }
}
