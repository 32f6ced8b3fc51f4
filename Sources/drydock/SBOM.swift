import Analysis
import ArgumentParser
import Foundation
import OCI
import RegistryClient
import Reports

/// Options for commands that read an image (`sbom`, later `scan`).
struct ImageOptions: ParsableArguments {
    @Argument(help: "HOST[:PORT]/REPO[:TAG|@DIGEST], oci:DIR[:TAG] or docker-archive:FILE[:REPO:TAG].")
    var image: String

    @Option(help: "Only the image for this platform of an index (os/arch[/variant]); default: every platform.")
    var platform: String?

    @Flag(help: "Talk plain HTTP to the registry.")
    var insecure = false

    @Option(help: "Registry user (default: docker/podman auth files).")
    var username: String?

    @Option(help: "Registry password (or DRYDOCK_REGISTRY_PASSWORD).")
    var password: String?

    @Option(help: "PEM file of a CA to trust for the registry's TLS certificate.")
    var caFile: String?

    @Option(help: "Layer cache directory (default: $DRYDOCK_CACHE/layers or ~/.cache/drydock/layers).")
    var cacheDir: String?

    @Flag(help: "Analyse every layer again instead of using the layer cache.")
    var noCache = false

    @Option(name: .customLong("max-image-size"), help: "Stop reading an image past this many uncompressed bytes (all layers) and report what was found, marked incomplete (default 512 GiB).")
    var maxImageSize: Int64?

    @Option(name: .customLong("max-image-seconds"), help: "Stop reading an image's layers after this many seconds and report what was found, marked incomplete (default 900).")
    var maxImageSeconds: Double?

    @Flag(name: .customLong("include-dev-deps"),
          help: "Also report lockfile entries marked development-only (composer packages-dev, npm \"dev\": true, ...).")
    var includeDevDeps = false

    func makeSource() throws -> any ImageSource {
        var options = RegistryImageSource.Options()
        options.insecure = insecure
        options.caFile = caFile
        let secret = password ?? ProcessInfo.processInfo.environment["DRYDOCK_REGISTRY_PASSWORD"]
        if let username, let secret { options.credentials = Credentials(username: username, password: secret) }
        do { return try ImageSources.parse(image, registryOptions: options) } catch let error as AnalysisError {
            throw CLIError(error.description)
        }
    }

    func makeAnalyzer() throws -> ImageAnalyzer {
        let cache = noCache ? nil : LayerCache(directory: cacheDir.map { URL(fileURLWithPath: $0) } ?? LayerCache.defaultDirectory())
        var analyzer = ImageAnalyzer(cache: cache)
        analyzer.limits = try limits()
        return analyzer
    }

    func limits() throws -> AnalysisLimits {
        try Self.limits(maxImageSize: maxImageSize, maxImageSeconds: maxImageSeconds)
    }

    /// The image bounds of `--max-image-size` and `--max-image-seconds` (sbom, scan, serve).
    static func limits(maxImageSize: Int64?, maxImageSeconds: Double?) throws -> AnalysisLimits {
        var limits = AnalysisLimits()
        if let maxImageSize {
            guard maxImageSize > 0 else { throw CLIError("--max-image-size takes a positive number of bytes") }
            limits.maxImageSize = maxImageSize
        }
        if let maxImageSeconds {
            guard maxImageSeconds > 0 else { throw CLIError("--max-image-seconds takes a positive number of seconds") }
            limits.maxImageSeconds = maxImageSeconds
        }
        return limits
    }

    func parsedPlatform() throws -> Platform? {
        guard let platform else { return nil }
        do { return try Platform(platform) } catch { throw CLIError(error.message) }
    }

    /// Resolves and analyses, turning every failure into one readable line.
    func inventories(using analyzer: ImageAnalyzer? = nil) async throws -> [ImageInventory] {
        let source = try makeSource()
        let wanted = try parsedPlatform()
        do {
            let result = try await (analyzer ?? makeAnalyzer()).analyze(source, platform: wanted)
            await source.close()
            for inventory in result {
                for reason in inventory.incomplete ?? [] {
                    // The output has it too; a script reading only the exit status should still see it.
                    FileHandle.standardError.write(Data("drydock: warning: the inventory of \(inventory.platform.map { "\(image) (\($0))" } ?? image) is incomplete: \(reason)\n".utf8))
                }
            }
            return includeDevDeps ? result : result.map { $0.withoutDevelopmentDependencies() }
        } catch let error as AnalysisError {
            await source.close()
            throw CLIError(error.description)
        } catch let error as RegistryClientError {
            await source.close()
            throw CLIError("\(image): \(error.description)")
        } catch {
            await source.close()
            throw CLIError("\(image): \(error)")
        }
    }
}

struct SBOM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom",
        abstract: "List every package installed in an image, with the layer that introduced it.")

    @OptionGroup var imageOptions: ImageOptions

    @Option(help: "table, json (Drydock's own, see docs/inventory-json.md), cyclonedx (1.6) or spdx (2.3).")
    var format: String = "table"

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var output: String?

    func run() async throws {
        guard let chosen = SBOMFormat(rawValue: format) else {
            throw CLIError("unknown format '\(format)' (use \(SBOMFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let inventories = try await imageOptions.inventories()
        let text = try chosen.render(inventories)
        if let output {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
