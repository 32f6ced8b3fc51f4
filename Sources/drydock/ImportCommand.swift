import ArgumentParser
import Foundation

/// `drydock import SOURCE REPO[:TAG]`: the registry copies an image from another registry
/// itself (`az acr import`), logs it as `Import`, and the defender scans it.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Copy an image from another registry into this one, server-side.",
        discussion: "SOURCE is HOST[:PORT]/REPO[:TAG|@DIGEST]; the target tag defaults to the source's.")

    @Argument(help: "The image to copy, e.g. registry.example.com/team/app:1.2") var source: String
    @Argument(help: "Where to put it here: REPO[:TAG]") var target: String
    @Option(name: .customLong("source-username"), help: "User name at the source registry.") var sourceUsername: String?
    @Option(name: .customLong("source-password"), help: "Password at the source (else DRYDOCK_SOURCE_PASSWORD).") var sourcePassword: String?
    @Flag(name: .customLong("source-insecure"), help: "Reach the source over plain HTTP.") var sourceInsecure = false
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        var body: [String: Any] = ["source": source, "target": target]
        let password = sourcePassword ?? ProcessInfo.processInfo.environment["DRYDOCK_SOURCE_PASSWORD"]
        switch (sourceUsername, password) {
        case let (user?, password?): body["username"] = user; body["password"] = password
        case (nil, _): break
        case (_?, nil): throw CLIError("--source-username needs --source-password (or DRYDOCK_SOURCE_PASSWORD)")
        }
        if sourceInsecure { body["insecure"] = true }
        let value = try await admin.client().call(.POST, "/admin/import", body: body)
        guard let result = value as? [String: Any] else { return }
        let tag = (result["tag"] as? String).map { ":\($0)" } ?? ""
        print("imported \(source) as \(result["repository"] as? String ?? "")\(tag)@\(result["digest"] as? String ?? "") "
              + "(\(result["blobsCopied"] as? Int ?? 0) blobs copied, \(result["blobsPresent"] as? Int ?? 0) already present)")
    }
}
