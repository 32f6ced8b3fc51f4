import Foundation
import SQLiteNIO
import Testing
@testable import Analysis

/// Damaged and hostile rpm databases: each must end in `AnalysisError.malformed` (or, where only
/// some records are damaged, in the remaining packages), never in a crash or an endless loop.
@Suite struct RpmBadInputTests {
    let analyzer = RpmAnalyzer()
    static let bdbPath = "/var/lib/rpm/Packages"
    static let ndbPath = "/usr/lib/sysimage/rpm/Packages.db"
    static let sqlitePath = "/var/lib/rpm/rpmdb.sqlite"

    @Test func garbageInEveryFormat() async throws {
        let noise = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        for path in [Self.bdbPath, Self.ndbPath, Self.sqlitePath] {
            await expectOSMalformed(path) { try await analyzer.osFindings(at: path, noise) }
        }
        // Right magic, garbage after it.
        var sqlite = Data("SQLite format 3\u{0}".utf8)
        sqlite.append(noise)
        await expectOSMalformed(Self.sqlitePath) { try await analyzer.osFindings(at: Self.sqlitePath, sqlite) }
        var ndb = Data("RpmP".utf8) + Data(repeating: 0, count: 8) + Data([1, 0, 0, 0])
        ndb.append(noise)
        await expectOSMalformed(Self.ndbPath) { try await analyzer.osFindings(at: Self.ndbPath, ndb) }
        // An empty file holds no packages.
        #expect(try await analyzer.osFindings(at: Self.bdbPath, Data()) == .none)
    }

    @Test(arguments: ["rpm/rpmdb.sqlite", "rpm/Packages", "rpm/Packages-be-1k", "rpm/Packages.db"])
    func truncatedDatabases(fixture: String) async throws {
        let data = try OSFixtures.data(fixture)
        let path = fixture.hasSuffix(".db") ? Self.ndbPath : fixture.hasSuffix("sqlite") ? Self.sqlitePath : Self.bdbPath
        for length in [10, 100, 2048, 5000] {
            await expectOSMalformed(path) { try await analyzer.osFindings(at: path, data.prefix(length)) }
        }
    }

    // MARK: Berkeley DB

    /// (page number, page type, next page) of every page of a little-endian BDB file.
    static func pages(_ data: [UInt8]) -> (size: Int, pages: [(number: Int, type: UInt8, previous: UInt32)]) {
        let size = Int(data.storedUInt32LE(at: 20) ?? 4096)
        let pages = (0..<data.count / size).map { number in
            (number, data[number * size + 25], data.storedUInt32LE(at: number * size + 12) ?? 0)
        }
        return (size, pages)
    }

    static func putUInt32LE(_ value: UInt32, _ data: inout [UInt8], at offset: Int) {
        for index in 0..<4 { data[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    @Test func overflowPageLoops() async throws {
        let original = [UInt8](try OSFixtures.data("rpm/Packages"))
        let (size, pages) = Self.pages(original)
        let overflowPages = pages.filter { $0.type == 7 }
        #expect(overflowPages.count > 6)

        // Every overflow page links back to itself: no header can be read, and the walk ends.
        var allLoop = original
        for page in overflowPages { Self.putUInt32LE(UInt32(page.number), &allLoop, at: page.number * size + 16) }
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(allLoop)) }

        // One chain loops: that package is lost, the other four are kept. The first page of the
        // longest chain (the manyfiles header) points back to itself.
        let firstPages = overflowPages.filter { $0.previous == 0 }
        let chainLengths = firstPages.map { first -> (Int, Int) in
            var length = 1, next = Int(original.storedUInt32LE(at: first.number * size + 16) ?? 0)
            while next != 0, length < 100 { length += 1; next = Int(original.storedUInt32LE(at: next * size + 16) ?? 0) }
            return (first.number, length)
        }
        let longest = try #require(chainLengths.max { $0.1 < $1.1 })
        #expect(longest.1 > 2)
        var oneLoop = original
        Self.putUInt32LE(UInt32(longest.0), &oneLoop, at: longest.0 * size + 16)
        let findings = try await analyzer.osFindings(at: Self.bdbPath, Data(oneLoop))
        #expect(findings.packages.map(\.name).sorted() == ["gpg-pubkey", "modular", "tiny", "tiny-libs", "withepoch-data"])
    }

    @Test func absurdCountsInBerkeleyDB() async throws {
        let original = [UInt8](try OSFixtures.data("rpm/Packages"))
        let (size, pages) = Self.pages(original)
        // A last-page number far past the end of the file is bounded by the file size.
        var lastPage = original
        Self.putUInt32LE(0xFFFF_FFFF, &lastPage, at: 32)
        #expect(try await analyzer.osFindings(at: Self.bdbPath, Data(lastPage)).packages.count == 6)
        // Hash pages claiming 65535 items.
        var items = original
        for page in pages where page.type == 13 {
            items[page.number * size + 20] = 0xFF
            items[page.number * size + 21] = 0xFF
        }
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(items)) }
        // Every header claims 0xFFFFFFFF index entries (the first bytes of each value).
        var entries = original
        for page in pages where page.type == 7 && page.previous == 0 {
            Self.putUInt32LE(0xFFFF_FFFF, &entries, at: page.number * size + 26)
        }
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(entries)) }
        // Overflow references with absurd lengths.
        var lengths = original
        for page in pages where page.type == 13 {
            let count = Int(original.storedUInt16LE(at: page.number * size + 20) ?? 0)
            for item in stride(from: 1, to: count, by: 2) {
                let offset = Int(original.storedUInt16LE(at: page.number * size + 26 + item * 2) ?? 0)
                if original[page.number * size + offset] == 3 { Self.putUInt32LE(0x7FFF_FFFF, &lengths, at: page.number * size + offset + 8) }
            }
        }
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(lengths)) }
        // An unknown hash version and a bad page size.
        var version = original
        Self.putUInt32LE(99, &version, at: 16)
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(version)) }
        var pageSize = original
        Self.putUInt32LE(4095, &pageSize, at: 20)
        await expectOSMalformed(Self.bdbPath) { try await analyzer.osFindings(at: Self.bdbPath, Data(pageSize)) }
    }

    // MARK: ndb

    @Test func damagedNDBSlotsAndBlobs() async throws {
        let original = [UInt8](try OSFixtures.data("rpm/Packages.db"))
        let slotPages = Int(original.storedUInt32LE(at: 12) ?? 0)
        let usedSlots = stride(from: 32, to: slotPages * 4096, by: 16).filter { original.storedUInt32LE(at: $0 + 8) != 0 }
        #expect(usedSlots.count == 6)
        // Absurd block counts in every slot.
        var counts = original
        for slot in usedSlots { Self.putUInt32LE(0xFFFF_FFFF, &counts, at: slot + 12) }
        await expectOSMalformed(Self.ndbPath) { try await analyzer.osFindings(at: Self.ndbPath, Data(counts)) }
        // Block offsets past the end of the file.
        var offsets = original
        for slot in usedSlots { Self.putUInt32LE(0x0FFF_FFFF, &offsets, at: slot + 8) }
        await expectOSMalformed(Self.ndbPath) { try await analyzer.osFindings(at: Self.ndbPath, Data(offsets)) }
        // A flipped byte inside one blob fails its Adler-32: that package alone is dropped.
        var flipped = original
        let blob = Int(original.storedUInt32LE(at: usedSlots[0] + 8) ?? 0) * 16
        flipped[blob + 40] ^= 0xFF
        #expect(try await analyzer.osFindings(at: Self.ndbPath, Data(flipped)).packages.count == 5)
        // An absurd slot page count.
        var slotCount = original
        Self.putUInt32LE(0xFFFF_FFFF, &slotCount, at: 12)
        await expectOSMalformed(Self.ndbPath) { try await analyzer.osFindings(at: Self.ndbPath, Data(slotCount)) }
    }

    // MARK: SQLite

    /// A SQLite database built with `statements`, as bytes.
    static func sqliteDatabase(_ statements: [String]) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpm-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rpmdb.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        for statement in statements { _ = try await connection.query(statement) }
        try await connection.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func hostileSQLiteSchemas() async throws {
        let noTable = try await Self.sqliteDatabase(["CREATE TABLE Other (x)"])
        await expectOSMalformed(Self.sqlitePath) { try await analyzer.osFindings(at: Self.sqlitePath, noTable) }
        // A view that would produce rows forever is refused before it runs.
        let endlessView = try await Self.sqliteDatabase([
            "CREATE VIEW Packages AS WITH RECURSIVE n(hnum) AS (SELECT 1 UNION ALL SELECT hnum + 1 FROM n) SELECT hnum, zeroblob(16) AS blob FROM n",
        ])
        await expectOSMalformed(Self.sqlitePath) { try await analyzer.osFindings(at: Self.sqlitePath, endlessView) }
        // A generated column that would make SQLite allocate a gigabyte per row.
        let generated = try await Self.sqliteDatabase([
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL)",
            "INSERT INTO Packages (hnum) VALUES (1)",
        ])
        await expectOSMalformed(Self.sqlitePath) { try await analyzer.osFindings(at: Self.sqlitePath, generated) }
        // Rows that are not headers: text, a truncated header, a header with an absurd count.
        let badRows = try await Self.sqliteDatabase([
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
            "INSERT INTO Packages (blob) VALUES ('text, not a blob')",
            "INSERT INTO Packages (blob) VALUES (x'0000000500000010')",
            "INSERT INTO Packages (blob) VALUES (x'FFFFFFFF00000000')",
        ])
        await expectOSMalformed(Self.sqlitePath) { try await analyzer.osFindings(at: Self.sqlitePath, badRows) }
    }

    @Test func badRowsAmongGoodOnes() async throws {
        let good = try await RpmHeaderTests.blob(named: "modular")
        let hex = good.map { String(format: "%02x", $0) }.joined()
        let mixed = try await Self.sqliteDatabase([
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
            "INSERT INTO Packages (blob) VALUES (x'FFFFFFFF00000000')",
            "INSERT INTO Packages (blob) VALUES (x'\(hex)')",
            "INSERT INTO Packages (blob) VALUES (x'\(hex.prefix(hex.count / 2))')",
        ])
        let findings = try await analyzer.osFindings(at: Self.sqlitePath, mixed)
        #expect(findings.packages.map(\.name) == ["modular"])
        #expect(findings.packages.first?.version == "18.1-3.module+el9.1.0+12+abcdef12")
        #expect(findings.ownedFiles == ["/usr/bin/modular": "rpm:modular"])
    }
}
