import Testing
@testable import OCI

@Suite struct ManifestParsingTests {
    static let d1 = "sha256:" + String(repeating: "1", count: 64)
    static let d2 = "sha256:" + String(repeating: "2", count: 64)

    static let image = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(d1)","size":10},
         "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(d2)","size":20}]}
        """

    @Test func parsesImageManifest() throws {
        let m = try ParsedManifest.parse(Array(Self.image.utf8), contentType: MediaType.ociManifest)
        #expect(m.kind == .image)
        #expect(m.requiredBlobs.map(\.digest.description) == [Self.d1, Self.d2])
        #expect(m.artifactType == MediaType.ociConfig)
    }

    @Test func infersTypeWithoutContentType() throws {
        let body = Self.image.replacingOccurrences(of: "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",", with: "")
        #expect(try ParsedManifest.parse(Array(body.utf8), contentType: nil).mediaType == MediaType.ociManifest)
    }

    @Test func parsesIndexAndArtifact() throws {
        let index = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
              {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"\(Self.d1)","size":5,
               "platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}
            """
        let parsed = try ParsedManifest.parse(Array(index.utf8), contentType: MediaType.dockerManifestList)
        #expect(parsed.kind == .index)
        #expect(parsed.manifests.first?.platform == Platform(os: "linux", architecture: "arm64", variant: "v8"))

        let artifact = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sbom",
             "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"\(Self.d1)","size":2},"layers":[],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.d2)","size":100}}
            """
        let a = try ParsedManifest.parse(Array(artifact.utf8), contentType: MediaType.ociManifest)
        #expect(a.artifactType == "application/vnd.example.sbom")
        #expect(a.subject?.digest.description == Self.d2)
    }

    @Test func foreignLayersAreNotRequired() throws {
        let body = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\(Self.d1)","size":1},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":"\(Self.d2)","size":1,
                        "urls":["https://example.invalid/layer"]}]}
            """
        #expect(try ParsedManifest.parse(Array(body.utf8), contentType: nil).requiredBlobs.map(\.digest.description) == [Self.d1])
    }

    @Test(arguments: [
        ("not json", MediaType.ociManifest),
        ("[]", MediaType.ociManifest),
        ("{}", MediaType.ociManifest),
        ("{\"schemaVersion\":1,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"\(d1)\",\"size\":1},\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"bad type\",\"digest\":\"\(d1)\",\"size\":1},\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"\(d1)\",\"size\":-1},\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"\(d1)\"}]}", MediaType.ociIndex),
        ("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", MediaType.dockerSchema1Signed),
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"\(d1)\",\"size\":1}}", MediaType.dockerManifest),
    ])
    func refusesInvalid(_ body: String, _ contentType: String) {
        #expect(throws: OCIError.self) { try ParsedManifest.parse(Array(body.utf8), contentType: contentType) }
    }

    @Test func refusesOversizedManifest() {
        let big = [UInt8](repeating: 0x20, count: OCI.maxManifestSize + 1)
        #expect(throws: OCIError.self) { try ParsedManifest.parse(big, contentType: nil) }
    }

    @Test func mediaTypeShape() {
        #expect(MediaType.isWellFormed("application/vnd.oci.image.manifest.v1+json"))
        #expect(MediaType.isWellFormed("text/plain; charset=utf-8"))
        #expect(!MediaType.isWellFormed("application"))
        #expect(!MediaType.isWellFormed("a/b/c"))
        #expect(!MediaType.isWellFormed(""))
    }
}
