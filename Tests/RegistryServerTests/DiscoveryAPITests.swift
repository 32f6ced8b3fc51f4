import DrydockTestSupport
import Foundation
import OCI
import Testing

@Suite struct DiscoveryAPITests {
    struct TagList: Decodable { var name: String; var tags: [String] }
    struct Catalog: Decodable { var repositories: [String] }

    @Test func tagListPaginatesWithLinkHeaders() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (bytes, _) = try await http.pushImage("app", tag: "t0")
        for i in 1..<7 {
            _ = try await http.send(.PUT, "/v2/app/manifests/t\(i)", headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
        }
        let all = try JSONDecoder().decode(TagList.self, from: Data(try await http.send(.GET, "/v2/app/tags/list").body))
        #expect(all.tags == (0..<7).map { "t\($0)" })

        var collected: [String] = []
        var next: String? = "/v2/app/tags/list?n=3"
        var pages = 0
        while let path = next {
            let reply = try await http.send(.GET, path)
            collected += try JSONDecoder().decode(TagList.self, from: Data(reply.body)).tags
            next = reply.header("Link").flatMap { link in
                link.split(separator: ";").first.map { String($0.dropFirst().dropLast()) }
            }
            pages += 1
        }
        #expect(collected == all.tags)
        #expect(pages == 3)

        let afterLast = try JSONDecoder().decode(TagList.self, from: Data(try await http.send(.GET, "/v2/app/tags/list?n=2&last=t4").body))
        #expect(afterLast.tags == ["t5", "t6"])
        #expect(try await http.send(.GET, "/v2/app/tags/list?n=abc").errorCode == "PAGINATION_NUMBER_INVALID")
        #expect(try await http.send(.GET, "/v2/unknown/tags/list").errorCode == "NAME_UNKNOWN")
    }

    @Test func catalogPaginates() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        for name in ["b", "a/x", "c"] { try await http.pushBlob(name, Array(name.utf8)) }
        let first = try await http.send(.GET, "/v2/_catalog?n=2")
        #expect(try JSONDecoder().decode(Catalog.self, from: Data(first.body)).repositories == ["a/x", "b"])
        #expect(first.header("Link") == "</v2/_catalog?n=2&last=b>; rel=\"next\"")
        let rest = try await http.send(.GET, "/v2/_catalog?n=2&last=b")
        #expect(try JSONDecoder().decode(Catalog.self, from: Data(rest.body)).repositories == ["c"])
        #expect(rest.header("Link") == nil)
    }

    @Test func referrersListAndFilterArtifacts() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let (subjectBytes, subject) = try await http.pushImage("app", tag: "v1")
        let subjectDescriptor = Descriptor(mediaType: MediaType.ociManifest, digest: subject, size: Int64(subjectBytes.count))
        let empty = try await http.pushBlob("app", Array("{}".utf8))
        func artifact(_ type: String, _ payload: String) async throws -> Digest {
            let blob = try await http.pushBlob("app", Array(payload.utf8))
            let manifest = ImageManifest(artifactType: type,
                                         config: Descriptor(mediaType: MediaType.ociEmpty, digest: empty, size: 2),
                                         layers: [Descriptor(mediaType: "text/plain", digest: blob, size: Int64(payload.utf8.count))],
                                         subject: subjectDescriptor, annotations: ["org.example": payload])
            let bytes = manifest.canonicalJSON()
            let digest = Digest.compute(bytes)
            let reply = try await http.send(.PUT, "/v2/app/manifests/\(digest)", headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
            #expect(reply.status == 201)
            #expect(reply.header("OCI-Subject") == subject.description)
            return digest
        }
        let sbom = try await artifact("application/vnd.example.sbom", "sbom")
        let sig = try await artifact("application/vnd.example.signature", "sig")

        let all = try await http.send(.GET, "/v2/app/referrers/\(subject)")
        #expect(all.status == 200)
        #expect(all.header("Content-Type") == MediaType.ociIndex)
        let index = try JSONDecoder().decode(ImageIndex.self, from: Data(all.body))
        #expect(Set(index.manifests.map(\.digest)) == [sbom, sig])
        #expect(index.manifests.first { $0.digest == sbom }?.annotations?["org.example"] == "sbom")

        let filtered = try await http.send(.GET, "/v2/app/referrers/\(subject)?artifactType=application/vnd.example.signature")
        #expect(filtered.header("OCI-Filters-Applied") == "artifactType")
        #expect(try JSONDecoder().decode(ImageIndex.self, from: Data(filtered.body)).manifests.map(\.digest) == [sig])

        let none = try await http.send(.GET, "/v2/app/referrers/\(Digest.compute(Array("nothing".utf8)))")
        #expect(none.status == 200)
        #expect(try JSONDecoder().decode(ImageIndex.self, from: Data(none.body)).manifests.isEmpty)
        #expect(try await http.send(.GET, "/v2/app/referrers/sha256:bad").errorCode == "DIGEST_INVALID")
    }

    @Test func unknownEndpointsAndMethods() async throws {
        let registry = try await TestRegistry.start()
        defer { Task { await registry.stop() } }
        let http = RawHTTP(registry)
        let unknown = try await http.send(.GET, "/v2/app/whatever/x")
        #expect(unknown.status == 404)
        #expect(unknown.errorCode == "UNSUPPORTED")
        #expect(try await http.send(.POST, "/v2/app/tags/list").status == 405)
        #expect(try await http.send(.GET, "/other").status == 404)
    }
}
