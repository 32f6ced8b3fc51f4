import ArgumentParser
import Foundation
import RegistryStorage

struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove blobs no manifest needs (a dry run unless --apply). Safe while the server runs.")

    @OptionGroup var dataOptions: DataOptions

    @Flag(name: .long, help: "Delete; without it only report what would go.")
    var apply = false

    @Flag(name: .customLong("delete-untagged"), help: "Also delete manifests no tag, index or subject keeps.")
    var deleteUntagged = false

    @Option(name: .long, help: "Only touch content older than this many seconds (protects pushes in progress).")
    var grace: Int = 3600

    func run() async throws {
        let logger = makeLogger("drydock.gc")
        let store = try await RegistryStore.openEmbedded(directory: dataOptions.absoluteData, logger: logger)
        var options = GarbageCollector.Options()
        options.apply = apply
        options.deleteUntagged = deleteUntagged
        options.grace = Double(max(0, grace))
        let report: GarbageCollector.Report
        do {
            report = try await GarbageCollector(store: store).run(options)
        } catch {
            await store.close()
            throw CLIError("gc failed: \(error)")
        }
        await store.close()
        let verb = apply ? "removed" : "would remove"
        for m in report.untaggedManifests { print("\(verb) untagged manifest \(m.repository)@\(m.digest)") }
        for l in report.unlinkedBlobs { print("\(verb) unreferenced blob link \(l.repository)@\(l.digest)") }
        for b in report.deletedBlobs { print("\(verb) blob \(b)") }
        for f in report.orphanFiles { print("\(verb) unrecorded file \(f)") }
        print("\(verb): \(report.untaggedManifests.count) manifests, \(report.unlinkedBlobs.count) blob links, \(report.deletedBlobs.count) blobs, \(report.orphanFiles.count) unrecorded files, \(report.expiredUploads) expired uploads\(apply ? "" : " (dry run; use --apply)")")
    }
}

struct Fsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check every blob's digest and every manifest's references; exit 1 on problems.")

    @OptionGroup var dataOptions: DataOptions

    @Flag(name: .customLong("skip-content"), help: "Check sizes only, do not re-hash blob content.")
    var skipContent = false

    func run() async throws {
        let logger = makeLogger("drydock.fsck")
        guard FileManager.default.fileExists(atPath: dataOptions.absoluteData + "/metadata.sqlite") else {
            throw CLIError("no registry data in \(dataOptions.data) (expected metadata.sqlite there)")
        }
        let store = try await RegistryStore.openEmbedded(directory: dataOptions.absoluteData, logger: logger)
        let report: StoreChecker.Report
        do {
            report = try await StoreChecker(store: store).run(verifyContent: !skipContent)
        } catch {
            await store.close()
            throw CLIError("fsck failed: \(error)")
        }
        await store.close()
        for problem in report.problems { print("problem: \(problem)") }
        print("checked \(report.blobsChecked) blobs, \(report.manifestsChecked) manifests, \(report.tagsChecked) tags; \(report.problems.count) problems; \(report.unrecordedFiles) unrecorded files (gc removes them)")
        if !report.isClean { throw ExitCode(1) }
    }
}
