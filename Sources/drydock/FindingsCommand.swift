import ArgumentParser
import Foundation

/// `drydock findings list|show|affected`: what the defender found in the registry's images,
/// over the admin API. The JSON is the API's own (docs/defender.md lists the fields).
struct FindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings", abstract: "Findings of the images in the registry, kept current by the defender.",
        subcommands: [List.self, Show.self, Affected.self])

    static let severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "NONE", "UNKNOWN"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "One row per image: scan status, health and findings by severity.")
        @Option(name: .long, help: "Only repositories matching this pattern ('team/*', 'apps/**').") var repository: String?
        @Option(name: .long, help: "Only these severities, comma-separated (CRITICAL,HIGH,…); images without any are left out.") var severity: String?
        @Option(name: .long, help: "open (default), resolved, exempted or all.") var state: String = "open"
        @Option(name: .long, help: "Only images of this registry ('local', or an enrolled registry's name).") var registry: String?
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard ["open", "resolved", "exempted", "all"].contains(state) else { throw CLIError("--state takes open, resolved, exempted or all") }
            var query = ["state=\(percentEncode(state))"]
            if let registry { query.append("registry=\(percentEncode(registry))") }
            if let repository { query.append("repository=\(percentEncode(repository))") }
            if let severity { query.append("severity=\(percentEncode(severity))") }
            let value = try await admin.client().call(.GET, "/admin/findings?" + query.joined(separator: "&"))
            if output == .json { printJSON(value); return }
            let images = (value as? [String: Any])?["images"] as? [[String: Any]] ?? []
            var rows = [["REPOSITORY", "TAG", "DIGEST", "STATUS", "HEALTH"] + FindingsCommand.severities.filter { $0 != "NONE" }]
            for image in images {
                let counts = image["counts"] as? [String: Int] ?? [:]
                let health: String = switch image["healthy"] as? Bool { case true?: "healthy"; case false?: "unhealthy"; default: "-" }
                // Images of enrolled registries are named with their registry in front.
                let registry = image["registry"] as? String ?? "local"
                let repository = (registry == "local" ? "" : registry + ":") + (image["repository"] as? String ?? "")
                rows.append([repository, image["tag"] as? String ?? "<none>", shortDigest(image["digest"] as? String),
                             image["scanStatus"] as? String ?? "", health]
                            + FindingsCommand.severities.filter { $0 != "NONE" }.map { "\(counts[$0] ?? 0)" })
            }
            if images.isEmpty { print("no images (the defender has not seen any yet, or none match)"); return }
            printTable(rows)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "An image's findings with their state and history, and what to do about them.")
        @Argument(help: "REPO[:TAG|@DIGEST]") var image: String
        @Option(name: .long, help: "open (default), resolved, exempted or all.") var state: String = "open"
        @Option(name: .long, help: "The registry the image is in: 'local' (default) or an enrolled registry's name.") var registry: String?
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard ["open", "resolved", "exempted", "all"].contains(state) else { throw CLIError("--state takes open, resolved, exempted or all") }
            let value = try await admin.client().call(
                .GET, "/admin/findings/image?reference=\(percentEncode(image))&state=\(percentEncode(state))"
                    + (registry.map { "&registry=\(percentEncode($0))" } ?? ""))
            if output == .json { printJSON(value); return }
            guard let view = value as? [String: Any] else { return }
            let health: String = switch view["healthy"] as? Bool {
            case true?: "healthy"
            case false?: "unhealthy (an open finding at or above \(view["healthThreshold"] as? String ?? "HIGH"))"
            default: "not known yet"
            }
            print("\(view["repository"] as? String ?? "")@\(view["digest"] as? String ?? "")")
            let tags = view["tags"] as? [String] ?? []
            if !tags.isEmpty { print("tags:     \(tags.joined(separator: ", "))") }
            print("scan:     \(view["scanStatus"] as? String ?? "")\((view["scannedAt"] as? String).map { " at \($0)" } ?? "")")
            if let message = view["statusMessage"] as? String { print("          \(message)") }
            if let built = view["databaseBuiltAt"] as? String { print("database: built \(built)") }
            print("health:   \(health)")
            let findings = view["findings"] as? [[String: Any]] ?? []
            print("")
            if findings.isEmpty {
                print(view["scanStatus"] as? String == "completed" ? "no \(state == "all" ? "" : state + " ")findings" : "no findings yet")
            } else {
                var rows = [["SEVERITY", "VULNERABILITY", "PACKAGE", "INSTALLED", "FIXED", "STATE", "FIRST SEEN"]]
                for finding in findings {
                    let package = finding["package"] as? [String: Any] ?? [:]
                    var state = finding["state"] as? String ?? ""
                    if state == "resolved", let by = finding["resolvedBy"] as? String { state += " by \(shortDigest(by))" }
                    if state == "exempted", let exemption = finding["exemption"] as? [String: Any] {
                        state += " (\(exemption["id"] as? Int ?? 0)\((exemption["expiresAt"] as? String).map { ", until " + $0.prefix(10) } ?? ""))"
                    }
                    rows.append([finding["severity"] as? String ?? "", finding["vulnerabilityID"] as? String ?? "",
                                 package["name"] as? String ?? "", package["version"] as? String ?? "",
                                 finding["fixedVersion"] as? String ?? "-", state,
                                 String((finding["firstSeen"] as? String ?? "").prefix(19))])
                }
                printTable(rows)
            }
            let remediations = view["remediations"] as? [[String: Any]] ?? []
            if !remediations.isEmpty {
                print("\nremediations:")
                for remediation in remediations {
                    let package = remediation["package"] as? [String: Any] ?? [:]
                    let fixes = (remediation["fixes"] as? [String] ?? []).count
                    print("  \(package["name"] as? String ?? "") \(package["version"] as? String ?? "") in \(package["location"] as? String ?? ""): "
                          + "\(remediation["action"] as? String ?? "") — fixes \(fixes), highest \(remediation["highestSeverity"] as? String ?? "")")
                }
            }
        }
    }

    struct Affected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "affected", abstract: "Every image with an open finding of a vulnerability (ID or alias).")
        @Argument(help: "CVE-…, GHSA-…, DSA-…") var vulnerability: String
        @Option(name: .long, help: "table or json") var output: OutputFormat = .table
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let value = try await admin.client().call(.GET, "/admin/findings/affected/\(percentEncode(vulnerability))")
            if output == .json { printJSON(value); return }
            let images = (value as? [String: Any])?["images"] as? [[String: Any]] ?? []
            if images.isEmpty { print("no image in the registry has \(vulnerability)"); return }
            var rows = [["REPOSITORY", "TAGS", "DIGEST"]]
            for image in images {
                rows.append([image["repository"] as? String ?? "", (image["tags"] as? [String] ?? []).joined(separator: ","),
                             image["digest"] as? String ?? ""])
            }
            printTable(rows)
        }
    }
}
