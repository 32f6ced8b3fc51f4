import Testing
@testable import OCI

@Suite struct DigestTests {
    static let sha256 = "sha256:" + String(repeating: "a", count: 64)
    static let sha512 = "sha512:" + String(repeating: "0", count: 128)

    @Test(arguments: [sha256, sha512])
    func acceptsRegisteredAlgorithms(_ value: String) throws {
        #expect(try Digest(value).description == value)
    }

    @Test(arguments: [
        "", "sha256", "sha256:", ":abc", "sha256:" + String(repeating: "A", count: 64),
        "sha256:" + String(repeating: "a", count: 63), "sha256:" + String(repeating: "a", count: 65),
        "sha256:" + String(repeating: "g", count: 64), "md5:d41d8cd98f00b204e9800998ecf8427e",
        "SHA256:" + String(repeating: "a", count: 64), "sha256+:" + String(repeating: "a", count: 64),
        "sha512:" + String(repeating: "a", count: 64),
    ])
    func refusesMalformed(_ value: String) {
        #expect(throws: OCIError.self) { try Digest(value) }
    }

    @Test func computesKnownDigests() {
        #expect(Digest.compute([UInt8]()).description == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.compute(Array("abc".utf8), algorithm: .sha512).encoded.hasPrefix("ddaf35a193617aba"))
    }

    @Test func hasherCopiesAreIndependent() {
        var a = DigestHasher(.sha256)
        a.update(Array("ab".utf8))
        var b = a
        b.update(Array("c".utf8))
        a.update(Array("c".utf8))
        #expect(a.finalize() == b.finalize())
        #expect(a.finalize() == Digest.compute(Array("abc".utf8)))
    }
}

@Suite struct NameAndTagTests {
    @Test(arguments: ["a", "library/debian", "a/b/c", "my-app", "my__app", "a.b", "a_b", "a--b", "0/1", "team/app-1.2_3"])
    func validNames(_ name: String) throws {
        #expect(try RepositoryName(name).value == name)
    }

    @Test(arguments: ["", "A", "a/", "/a", "a//b", "-a", "a-", "a___b", "a..b", "a._b", "a b", "a:b", "ä",
                      String(repeating: "a", count: 256)])
    func invalidNames(_ name: String) {
        #expect(throws: OCIError.self) { try RepositoryName(name) }
    }

    @Test(arguments: ["latest", "v1.0", "_x", "A-b_c.d", String(repeating: "t", count: 128)])
    func validTags(_ tag: String) throws {
        #expect(try Tag(tag).value == tag)
    }

    @Test(arguments: ["", ".x", "-x", "a/b", "a:b", String(repeating: "t", count: 129), "tag with space"])
    func invalidTags(_ tag: String) {
        #expect(throws: OCIError.self) { try Tag(tag) }
    }

    @Test func manifestReferenceIsTagOrDigest() throws {
        #expect(try ManifestReference("v1") == .tag(try Tag("v1")))
        #expect(try ManifestReference(DigestTests.sha256) == .digest(try Digest(DigestTests.sha256)))
        #expect(throws: OCIError.self) { try ManifestReference("sha256:nothex") }
    }
}

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("debian", "docker.io", "library/debian", "latest" as String?, nil as String?),
        ("localhost:5000/a/b:v2", "localhost:5000", "a/b", "v2", nil),
        ("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", nil),
        ("ghcr.io/org/img@" + DigestTests.sha256, "ghcr.io", "org/img", nil, DigestTests.sha256),
        ("quay.io/x/y:1@" + DigestTests.sha256, "quay.io", "x/y", "1", DigestTests.sha256),
        ("user/repo:tag", "docker.io", "user/repo", "tag", nil),
    ])
    func parses(_ input: String, _ registry: String, _ repository: String, _ tag: String?, _ digest: String?) throws {
        let reference = try ImageReference(input)
        #expect(reference.registry == registry)
        #expect(reference.repository.value == repository)
        #expect(reference.tag?.value == tag)
        #expect(reference.digest?.description == digest)
    }

    @Test(arguments: ["", "UPPER/case", "host:5000/", "a@sha256:short", "a:b:c"])
    func refuses(_ input: String) {
        #expect(throws: OCIError.self) { try ImageReference(input) }
    }

    @Test func platformMatching() throws {
        #expect(try Platform("linux/arm64").matches(try Platform("linux/arm64/v8")))
        #expect(try Platform("linux/arm64/v8").matches(try Platform("linux/arm64")))
        #expect(!(try Platform("linux/arm/v7").matches(try Platform("linux/arm/v6"))))
        #expect(!(try Platform("linux/amd64").matches(try Platform("windows/amd64"))))
        #expect(throws: OCIError.self) { try Platform("linux") }
    }
}
