import Foundation
import Testing
@testable import Analysis

/// The header blob parser on real headers taken from the SQLite fixture, and on damaged copies.
@Suite struct RpmHeaderTests {
    /// The header of package `name` from the committed SQLite database.
    static func blob(named name: String) async throws -> [UInt8] {
        let blobs = BlobBox()
        try await RpmSQLiteReader.forEachBlob(.file(OSFixtures.url("rpm/rpmdb.sqlite"))) { blobs.append($0) }
        for case .success(let blob) in blobs.all {
            if try RpmHeader(blob: blob).string(.name) == name { return blob }
        }
        throw RpmFormatError("no header for \(name)")
    }

    final class BlobBox: @unchecked Sendable {
        private let lock = NSLock()
        private var blobs: [Result<[UInt8], RpmFormatError>] = []
        func append(_ blob: Result<[UInt8], RpmFormatError>) { lock.lock(); blobs.append(blob); lock.unlock() }
        var all: [Result<[UInt8], RpmFormatError>] { lock.lock(); defer { lock.unlock() }; return blobs }
    }

    @Test func readsTagsOfARealHeader() async throws {
        let header = try RpmHeader(blob: try await Self.blob(named: "tiny"))
        #expect(try header.string(.version) == "1.0")
        #expect(try header.string(.release) == "1.el9")
        #expect(try header.int32Array(.epoch) == [0])
        #expect(try header.string(.arch) == "x86_64")
        #expect(try header.stringArray(.baseNames) == ["tiny", "tiny", "README"])
        #expect(try RpmInstalledPackage.files(of: header) == ["/usr/bin/tiny", "/usr/share/doc/tiny", "/usr/share/doc/tiny/README"])
        #expect(try header.string(.modularityLabel) == nil)
    }

    @Test func truncatedHeadersThrow() async throws {
        let blob = try await Self.blob(named: "tiny")
        for length in [0, 4, 7, 8, 24, blob.count / 2, blob.count - 1] {
            #expect(throws: RpmFormatError.self, "length \(length)") { try RpmHeader(blob: Array(blob.prefix(length))) }
        }
    }

    @Test func absurdCountsAndOffsetsThrow() async throws {
        let blob = try await Self.blob(named: "tiny")
        func patched(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var copy = blob
            for index in 0..<4 { copy[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * (3 - index))) }
            return copy
        }
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(0, 0xFFFF_FFFF)) }  // il
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(0, 0)) }            // il = 0
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(4, 0xFFFF_FFFF)) }  // dl
        // Find NAME's index entry and point it outside the store, then give it an absurd count.
        let il = Int(blob.storedUInt32BE(at: 0)!)
        let nameEntry = try #require((0..<il).map { 8 + $0 * 16 }.first { blob.storedUInt32BE(at: $0) == 1000 })
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(nameEntry + 8, 0x7FFF_FFFF)) }
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(nameEntry + 12, 0xFFFF_FFFF)) }
        // NAME typed as INT32 is not a string.
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: patched(nameEntry + 4, 4)).string(.name) }
        // DIRINDEXES pointing past DIRNAMES.
        let dirIndexes = try #require((0..<il).map { 8 + $0 * 16 }.first { blob.storedUInt32BE(at: $0) == 1116 })
        let store = 8 + il * 16 + Int(blob.storedUInt32BE(at: dirIndexes + 8)!)
        let badIndex = try RpmHeader(blob: patched(store, 9999))
        #expect(throws: RpmFormatError.self) { try RpmInstalledPackage.files(of: badIndex) }
        // A string running to the end of the store without a terminating NUL.
        let arch = try #require((0..<il).map { 8 + $0 * 16 }.first { blob.storedUInt32BE(at: $0) == 1022 })
        let dl = Int(blob.storedUInt32BE(at: 4)!)
        var unterminated = patched(arch + 8, UInt32(dl - 1))
        unterminated[8 + il * 16 + dl - 1] = 0x41
        #expect(throws: RpmFormatError.self) { try RpmHeader(blob: unterminated).string(.arch) }
    }
}
