import OCI
@testable import RegistryServer
import Testing

@Suite struct RouteParsingTests {
    static func name(_ s: String) -> RepositoryName { try! RepositoryName(s) }

    @Test(arguments: [
        ("/v2/", RegistryRoute.base),
        ("/v2", .base),
        ("/v2/_catalog", .catalog),
        ("/v2/a/b/tags/list", .tags(name("a/b"))),
        ("/v2/a/manifests/latest", .manifest(name("a"), "latest")),
        ("/v2/x/blobs/y/manifests/v1", .manifest(name("x/blobs/y"), "v1")),
        ("/v2/a/blobs/sha256:abc", .blob(name("a"), "sha256:abc")),
        ("/v2/a/blobs/sha256%3Aabc", .blob(name("a"), "sha256:abc")),
        ("/v2/a/blobs/uploads/", .uploads(name("a"))),
        ("/v2/a/blobs/uploads", .uploads(name("a"))),
        ("/v2/a/b/blobs/uploads/123", .upload(name("a/b"), "123")),
        ("/v2/tags/list/tags/list", .tags(name("tags/list"))),
        ("/v2/a/referrers/sha256:abc", .referrers(name("a"), "sha256:abc")),
        ("/v2/team%2Fapp/manifests/v%31", .manifest(name("team/app"), "v1")),
        ("/v2/a/b/blobs/uploads/id%2D1", .upload(name("a/b"), "id-1")),
    ])
    func parses(_ path: String, _ expected: RegistryRoute) throws {
        #expect(try RegistryRoute.parse(path) == expected)
    }

    @Test(arguments: ["/", "/v1/", "/v2x", "/v2/a", "/v2/a/unknown/x", "/v2/a/manifests/", "/v2/tags/list",
                      "/v2/blobs/uploads", "/v2/a/b/c", "/v2/_catalog/x", "/v2/\u{301}_catalog", "/v2\u{301}/_catalog"])
    func ignoresNonAPIPaths(_ path: String) throws {
        #expect(try RegistryRoute.parse(path) == nil)
    }

    @Test func correlationIDsAreUUIDShapedAndDistinct() {
        let first = CorrelationID.next(), second = CorrelationID.next()
        #expect(first != second)
        for id in [first, second] {
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
        }
        #expect(first.prefix(18) == second.prefix(18))  // the per-process prefix
    }

    @Test func invalidNameIsNameInvalid() {
        #expect(throws: OCIError.self) { try RegistryRoute.parse("/v2/UP/manifests/x") }
        // An endpoint with an empty name is a bad name, not an unknown path.
        #expect(throws: OCIError.self) { try RegistryRoute.parse("/v2//manifests/x") }
        #expect(throws: OCIError.self) { try RegistryRoute.parse("/v2//blobs/uploads/1") }
        #expect(throws: OCIError.self) { try RegistryRoute.parse("/v2//tags/list") }
        // A combining mark after "/v2/" is part of the name, not dropped with the prefix.
        #expect(throws: OCIError.self) { try RegistryRoute.parse("/v2/\u{301}library/alpine/manifests/latest") }
    }

    @Test func byteRanges() throws {
        #expect(try ByteRanges.requested("bytes=0-9", size: 100) == 0...9)
        #expect(try ByteRanges.requested("bytes=90-", size: 100) == 90...99)
        #expect(try ByteRanges.requested("bytes=-10", size: 100) == 90...99)
        #expect(try ByteRanges.requested("bytes=95-200", size: 100) == 95...99)
        #expect(try ByteRanges.requested("bytes=0-1,5-6", size: 100) == nil)
        #expect(try ByteRanges.requested("items=0-1", size: 100) == nil)
        #expect(throws: ByteRanges.RangeNotSatisfiable.self) { try ByteRanges.requested("bytes=100-", size: 100) }
        #expect(ByteRanges.contentRange("0-99")! == (0, 99))
        #expect(ByteRanges.contentRange("bytes 5-9/10")! == (5, 9))
        #expect(ByteRanges.contentRange("x-1") == nil)
    }
}
