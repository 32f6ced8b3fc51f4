import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where the admin API is and who calls it: `--server`/`DRYDOCK_SERVER`,
/// `--username`/`DRYDOCK_USERNAME`, `--password`/`DRYDOCK_PASSWORD`.
struct AdminOptions: ParsableArguments {
    @Option(name: .long, help: "Registry URL (default: DRYDOCK_SERVER or http://127.0.0.1:5000).")
    var server: String?

    @Option(name: .long, help: "Admin user name (default: DRYDOCK_USERNAME or admin).")
    var username: String?

    @Option(name: .long, help: "Admin password (default: DRYDOCK_PASSWORD).")
    var password: String?

    func client() throws -> AdminClient {
        let env = ProcessInfo.processInfo.environment
        var base = server ?? env["DRYDOCK_SERVER"] ?? "http://127.0.0.1:5000"
        if !base.hasPrefix("http://") && !base.hasPrefix("https://") { base = "http://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        guard let password = password ?? env["DRYDOCK_PASSWORD"] else {
            throw CLIError("no admin password: give --password or set DRYDOCK_PASSWORD")
        }
        return AdminClient(base: base, username: username ?? env["DRYDOCK_USERNAME"] ?? "admin", password: password)
    }
}

/// The admin API's address and the admin's credentials for commands whose own `--username` and
/// `--password` are someone else's (the credentials of a registry being enrolled).
struct AdminLoginOptions: ParsableArguments {
    @Option(name: .long, help: "Registry URL (default: DRYDOCK_SERVER or http://127.0.0.1:5000).")
    var server: String?

    @Option(name: .customLong("admin-username"), help: "Admin user name (default: DRYDOCK_USERNAME or admin).")
    var adminUsername: String?

    @Option(name: .customLong("admin-password"), help: "Admin password (default: DRYDOCK_PASSWORD).")
    var adminPassword: String?

    func client() throws -> AdminClient {
        try AdminOptions.parse((server.map { ["--server", $0] } ?? []) + (adminUsername.map { ["--username", $0] } ?? [])
                               + (adminPassword.map { ["--password", $0] } ?? [])).client()
    }
}

/// A tiny JSON client for the admin API; errors become one readable line.
struct AdminClient {
    let base: String
    let username: String
    let password: String

    func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Any {
        let data = try await raw(method, path, body: body)
        if data.isEmpty { return [String: Any]() }
        return (try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
    }

    func raw(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Data {
        try await raw(method, path, data: try body.map { try JSONSerialization.data(withJSONObject: $0) }, contentType: "application/json")
    }

    func raw(_ method: HTTPMethod, _ path: String, data body: Data?, contentType: String) async throws -> Data {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            // An import copies whole images and an upload re-matches every image: give them time.
            response = try await http.execute(request, timeout: .seconds(method == .GET ? 60 : 3600))
        } catch {
            throw CLIError("cannot reach the registry at \(base): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let errors = object["errors"] as? [[String: Any]], let first = errors.first {
                throw CLIError("\(first["code"] as? String ?? "ERROR"): \(first["message"] as? String ?? "") (HTTP \(response.status.code))")
            }
            throw CLIError("the registry answered HTTP \(response.status.code)")
        }
        return data
    }

    /// Streams a JSON-lines response, calling `line` for each line.
    func stream(_ path: String, line: (Data) throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .hours(24 * 365)) } catch {
            throw CLIError("cannot reach the registry at \(base): \(error)")
        }
        guard response.status == .ok else { throw CLIError("the registry answered HTTP \(response.status.code)") }
        var pending = Data()
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let text = pending[pending.startIndex..<newline]
                if !text.isEmpty { try line(text) }  // blank lines are keep-alives
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
    }
}

func printJSON(_ value: Any) {
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
        print(String(decoding: data, as: UTF8.self))
    }
}

func percentEncode(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
}
