import DrydockTestSupport
import Foundation
import OCI
import Testing

@Suite struct BlobAPITests {
    @Test func baseEndpointAnswersWithAPIVersion() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let reply = try await RawHTTP(registry).send(.GET, "/v2/")
        #expect(reply.status == 200)
        #expect(reply.header("Docker-Distribution-API-Version") == "registry/2.0")
    }

    @Test func monolithicUploadThenGetHeadAndRange() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let bytes = Array("0123456789abcdef".utf8)
        let digest = try await http.pushBlob("team/app", bytes)

        let head = try await http.send(.HEAD, "/v2/team/app/blobs/\(digest)")
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "16")
        #expect(head.header("Docker-Content-Digest") == digest.description)

        let get = try await http.send(.GET, "/v2/team/app/blobs/\(digest)")
        #expect(get.body == bytes)

        let partial = try await http.send(.GET, "/v2/team/app/blobs/\(digest)", headers: [("Range", "bytes=2-5")])
        #expect(partial.status == 206)
        #expect(partial.text == "2345")
        #expect(partial.header("Content-Range") == "bytes 2-5/16")
        #expect(partial.header("Content-Length") == "4")

        let suffix = try await http.send(.GET, "/v2/team/app/blobs/\(digest)", headers: [("Range", "bytes=-3")])
        #expect(suffix.text == "def")

        let outside = try await http.send(.GET, "/v2/team/app/blobs/\(digest)", headers: [("Range", "bytes=16-20")])
        #expect(outside.status == 416)

        // Blobs are visible only in the repository they were pushed to (or mounted into).
        let other = try await http.send(.GET, "/v2/other/blobs/\(digest)")
        #expect(other.status == 404)
        #expect(other.errorCode == "BLOB_UNKNOWN")
    }

    @Test func digestMismatchStoresNothing() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let wrong = Digest.compute(Array("other".utf8))
        let reply = try await http.send(.POST, "/v2/app/blobs/uploads/?digest=\(wrong)", body: Array("content".utf8))
        #expect(reply.status == 400)
        #expect(reply.errorCode == "DIGEST_INVALID")
        #expect(try await http.send(.HEAD, "/v2/app/blobs/\(wrong)").status == 404)
        #expect(try registry.store.blobs.size(of: wrong) == nil)
        #expect(try registry.store.blobs.uploadIDs().isEmpty)
    }

    @Test func chunkedUploadChecksOrderAndReportsStatus() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let start = try await http.send(.POST, "/v2/app/blobs/uploads/")
        #expect(start.status == 202)
        let location = try #require(start.header("Location"))
        #expect(start.header("Docker-Upload-UUID") != nil)

        let first = try await http.send(.PATCH, location, headers: [("Content-Range", "0-4"), ("Content-Type", "application/octet-stream")], body: Array("hello".utf8))
        #expect(first.status == 202)
        #expect(first.header("Range") == "0-4")

        let outOfOrder = try await http.send(.PATCH, location, headers: [("Content-Range", "10-14")], body: Array("xxxxx".utf8))
        #expect(outOfOrder.status == 416)
        #expect(outOfOrder.header("Range") == "0-4")

        let status = try await http.send(.GET, location)
        #expect(status.status == 204)
        #expect(status.header("Range") == "0-4")

        // A chunk without Content-Range is streamed onto the end.
        let second = try await http.send(.PATCH, location, body: Array(" world".utf8))
        #expect(second.header("Range") == "0-10")

        let digest = Digest.compute(Array("hello world!".utf8))
        let done = try await http.send(.PUT, "\(location)?digest=\(digest)", body: Array("!".utf8))
        #expect(done.status == 201)
        #expect(done.header("Location") == "/v2/app/blobs/\(digest)")
        #expect(try await http.send(.GET, "/v2/app/blobs/\(digest)").text == "hello world!")
        #expect(try await http.send(.GET, location).status == 404)
    }

    @Test func cancelledUploadIsGone() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let location = try #require(try await http.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
        _ = try await http.send(.PATCH, location, body: Array("abc".utf8))
        #expect(try await http.send(.DELETE, location).status == 204)
        let after = try await http.send(.GET, location)
        #expect(after.status == 404)
        #expect(after.errorCode == "BLOB_UPLOAD_UNKNOWN")
        // Another repository cannot touch a session that is not its own.
        let foreign = try #require(try await http.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
        let stolen = foreign.replacingOccurrences(of: "/v2/app/", with: "/v2/other/")
        #expect(try await http.send(.GET, stolen).status == 404)
    }

    @Test func crossRepositoryMountAndFallback() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let digest = try await http.pushBlob("source", Array("shared layer".utf8))
        let mounted = try await http.send(.POST, "/v2/target/blobs/uploads/?mount=\(digest)&from=source")
        #expect(mounted.status == 201)
        #expect(mounted.header("Location") == "/v2/target/blobs/\(digest)")
        #expect(try await http.send(.HEAD, "/v2/target/blobs/\(digest)").status == 200)

        let unknown = Digest.compute(Array("nobody has this".utf8))
        let fallback = try await http.send(.POST, "/v2/target/blobs/uploads/?mount=\(unknown)&from=source")
        #expect(fallback.status == 202)
        #expect(fallback.header("Location")?.contains("/v2/target/blobs/uploads/") == true)
        // Mounting from a repository that does not hold the blob also falls back.
        #expect(try await http.send(.POST, "/v2/third/blobs/uploads/?mount=\(digest)&from=elsewhere").status == 202)
    }

    @Test func hostileHeadersAreRefusedNotFatal() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let location = try #require(try await http.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
        let huge = try await http.send(.PATCH, location, headers: [("Content-Range", "0-9223372036854775807")], body: [])
        #expect(huge.status == 400)
        #expect(huge.errorCode == "BLOB_UPLOAD_INVALID")
        let mismatch = try await http.send(.PATCH, location, headers: [("Content-Range", "0-9")], body: Array("abc".utf8))
        #expect(mismatch.status == 400)
        let unknownSession = try await http.send(.PATCH, "/v2/app/blobs/uploads/00000000-0000-0000-0000-000000000000",
                                                 headers: [("Content-Range", "0-9223372036854775807")], body: [])
        #expect(unknownSession.errorCode == "BLOB_UPLOAD_UNKNOWN")
        #expect(try await http.send(.GET, "/v2/_catalog?n=9223372036854775807").status == 200)
        // The server is still there.
        #expect(try await http.send(.GET, "/v2/").status == 200)
    }

    @Test func mountWithoutFromOpensASession() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let digest = try await http.pushBlob("private", Array("secret layer".utf8))
        // Knowing a digest is not enough to read another repository's blob.
        let reply = try await http.send(.POST, "/v2/intruder/blobs/uploads/?mount=\(digest)")
        #expect(reply.status == 202)
        #expect(try await http.send(.GET, "/v2/intruder/blobs/\(digest)").status == 404)
    }

    @Test func sha512Blobs() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let bytes = Array("sha512 content".utf8)
        let digest = Digest.compute(bytes, algorithm: .sha512)
        #expect(try await http.send(.POST, "/v2/app/blobs/uploads/?digest=\(digest)", body: bytes).status == 201)
        #expect(try await http.send(.GET, "/v2/app/blobs/\(digest)").body == bytes)
    }

    @Test func deleteBlob() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let digest = try await http.pushBlob("app", Array("x".utf8))
        #expect(try await http.send(.DELETE, "/v2/app/blobs/\(digest)").status == 202)
        #expect(try await http.send(.HEAD, "/v2/app/blobs/\(digest)").status == 404)
        #expect(try await http.send(.DELETE, "/v2/app/blobs/\(digest)").errorCode == "BLOB_UNKNOWN")
    }

    @Test(arguments: [
        ("/v2/UPPER/blobs/uploads/", "NAME_INVALID"),
        ("/v2/app/blobs/sha256:abc", "DIGEST_INVALID"),
        ("/v2/app/blobs/uploads/?digest=md5:abc", "DIGEST_INVALID"),
    ])
    func badInputGetsSpecErrors(_ path: String, _ code: String) async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let method: HTTPMethodName = path.contains("uploads") ? .post : .get
        let reply = try await RawHTTP(registry).send(method.nio, path)
        #expect(reply.status == 400)
        #expect(reply.errorCode == code)
        #expect(reply.header("Content-Type") == "application/json")
    }
}

enum HTTPMethodName {
    case get, post
    var nio: NIOHTTP1.HTTPMethod { self == .get ? .GET : .POST }
}

import NIOHTTP1
