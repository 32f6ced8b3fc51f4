import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sending images to external scanners through the Harbor scanner API, as Harbor does: the
/// request names this registry and carries a short-lived pull-only token of the `defender`
/// identity (Harbor passes a robot account), the report is polled until ready, and what the
/// scanner found is kept under its name beside Drydock's own findings.
extension Defender {
    /// After Drydock's own scan, in a subscription that uses `both`.
    func scanExternally(imageID: Int) async {
        guard let image = try? await store.image(id: imageID), image.deletedAt == nil,
              (try? await scannerMode(of: image)) == "both" else { return }
        _ = await runExternalScanners(image)
    }

    /// `builtin`, `external` or `both`, as the subscription of the image's registry says.
    func scannerMode(of image: ImageRecord) async throws -> String {
        try await store.scannerMode(subscription: try await store.subscription(ofRegistry: image.registry))
    }

    /// Sends the image to every external scanner, one after the other, and keeps each answer.
    func runExternalScanners(_ image: ImageRecord) async -> [DefenderStore.ExternalReport] {
        guard let scanners = try? await store.scanners(), !scanners.isEmpty else { return [] }
        let tags = (try? await store.tags(of: image)) ?? []
        var reports: [DefenderStore.ExternalReport] = []
        for scanner in scanners {
            let report = await scan(image, tag: tags.first, with: scanner)
            try? await store.saveExternalReport(imageID: image.id, report)
            recordScan(result: "external_\(report.status)")
            reports.append(report)
        }
        return reports
    }

    /// Queues every image of a subscription's registries (its scanner mode changed).
    func rescanSubscription(_ subscription: String) async throws {
        let registries = Set(try await store.registries().filter { $0.subscription == subscription }.map(\.name))
        for image in try await store.listedImages() where registries.contains(image.registry) {
            try await store.enqueue(imageID: image.id, notBefore: now, trigger: "scanner-mode", now: now)
        }
        wakeWorker()
    }

    /// A scan in a subscription that uses external scanners only: their reports are the
    /// image's findings (`ExternalFindings`); nothing is pulled by Drydock itself.
    func processExternally(_ job: ScanJob, image: ImageRecord) async throws {
        let started = now
        let evaluation = ExternalFindings.evaluation(await runExternalScanners(image))
        let baseline = await eventBaseline(imageID: image.id)
        let changes = try await store.store(evaluation, imageID: image.id, now: now)
        try await store.finishJob(job)
        if evaluation.status == .completed {
            recordScan(result: "completed", seconds: now - started)
            await publish(changes, imageID: image.id, baseline: baseline, scanned: true)
        } else {
            recordScan(result: "failed")
            await publishFailure(imageID: image.id, message: evaluation.message ?? "the external scanners did not answer")
        }
        logger.info("scanned by external scanners", metadata: ["repository": "\(image.repository)", "digest": "\(image.digest)",
                                                               "findings": "\(evaluation.findings.count)", "status": "\(evaluation.status.rawValue)"])
    }

    private func scan(_ image: ImageRecord, tag: String?, with scanner: DefenderStore.ExternalScanner) async -> DefenderStore.ExternalReport {
        func failed(_ message: String) -> DefenderStore.ExternalReport {
            logger.notice("external scan failed", metadata: ["scanner": "\(scanner.name)", "repository": "\(image.repository)", "reason": "\(message)"])
            return .init(scanner: scanner.name, status: "failed", message: message, scannedAt: now, report: nil)
        }
        let base = scanner.url.hasSuffix("/") ? String(scanner.url.dropLast()) : scanner.url
        let deadline = now + configuration.externalScanTimeout
        do {
            let endpoint = try await endpoint(forRegistry: image.registry)
            var registry: [String: String] = ["url": "\(endpoint.plainHTTP ? "http" : "https")://\(endpoint.address)"]
            if image.registry == DefenderConfiguration.localRegistry {
                if let token = try await pullToken(repository: image.repository, endpoint: endpoint) { registry["authorization"] = "Bearer " + token }
            } else if let credentials = endpoint.credentials {
                // An enrolled registry's own credentials: the spec's `Basic` form of the field.
                registry["authorization"] = "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
            }
            var artifact = ["repository": image.repository, "digest": image.digest,
                            "mime_type": image.mediaType ?? "application/vnd.oci.image.manifest.v1+json"]
            if let tag { artifact["tag"] = tag }
            let body = try JSONSerialization.data(withJSONObject: ["registry": registry, "artifact": artifact], options: [.sortedKeys])
            let accepted = try await send(.POST, base + "/scan", scanner: scanner, body: body, contentType: HarborScan.requestType, until: deadline)
            guard accepted.status == 202, let id = (try? JSONDecoder().decode(HarborScan.Response.self, from: accepted.body))?.id else {
                return failed("the scanner refused the scan request: HTTP \(accepted.status) \(Self.errorMessage(accepted.body))")
            }
            while now < deadline {
                let answer = try await send(.GET, base + "/scan/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)/report",
                                            scanner: scanner, accept: HarborScan.reportType, until: deadline)
                switch answer.status {
                case 200:
                    do {
                        let report = try JSONDecoder().decode(HarborScan.Report.self, from: answer.body)
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = .sortedKeys
                        return .init(scanner: scanner.name, status: "completed", message: nil, scannedAt: now, report: try encoder.encode(report))
                    } catch {
                        return failed("the scanner's answer is not a Harbor vulnerability report: \(error)".prefix(400).description)
                    }
                case 302:
                    let wait = min(10, max(0.2, Double(answer.headers.first(name: "Refresh-After") ?? "") ?? 1))
                    try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                default:
                    return failed("the scanner answered HTTP \(answer.status): \(Self.errorMessage(answer.body))")
                }
            }
            return failed("the scanner had no report after \(Int(configuration.externalScanTimeout)) s")
        } catch {
            return failed("the scanner could not be reached: \(error)".prefix(400).description)
        }
    }

    private struct Answer { var status: UInt; var headers: HTTPHeaders; var body: Data }

    private func send(_ method: HTTPMethod, _ url: String, scanner: DefenderStore.ExternalScanner, body: Data? = nil,
                      contentType: String? = nil, accept: String? = nil, until deadline: Double) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "drydock-defender")
        if let authorization = scanner.authorization, !authorization.isEmpty { request.headers.add(name: "Authorization", value: authorization) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let left = max(1, deadline - now)
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(left * 1000)))
        // An adapter cannot make the defender read more than a report's worth.
        let bytes = try await response.body.collect(upTo: 32 << 20)
        return Answer(status: response.status.code, headers: response.headers, body: Data(buffer: bytes))
    }

    /// A pull-only token for one repository from this registry's token endpoint, as `defender`
    /// (nil when the registry runs without access control).
    private func pullToken(repository: String, endpoint: DefenderConfiguration.RegistryEndpoint) async throws -> String? {
        guard let realm = endpoint.tokenRealm, let credentials = endpoint.credentials, var components = URLComponents(string: realm) else { return nil }
        components.queryItems = [URLQueryItem(name: "scope", value: "repository:\(repository):pull")]
            + (endpoint.tokenService.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
        guard let url = components.url?.absoluteString else { return nil }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString())
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok,
              let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let token = (object["token"] ?? object["access_token"]) as? String else {
            throw DefenderError(.invalid, "the registry's token endpoint gave the defender no token (HTTP \(response.status.code))")
        }
        return token
    }

    static func errorMessage(_ body: Data) -> String {
        if let error = try? JSONDecoder().decode(HarborScan.ErrorBody.self, from: body) { return error.error.message }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}
