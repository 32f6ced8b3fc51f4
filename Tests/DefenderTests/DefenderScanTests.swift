import NIOHTTP1
import Access
import Defender
import DrydockTestSupport
import Foundation
import RegistryServer
import Synchronization
import Testing
import VulnDB

/// The defender end to end, in-process: a real registry on a loopback port, images pushed with
/// RegistryClient, the defender pulling them back through the access gate as `defender`.
@Suite struct DefenderScanTests {
    static let vulnerable: [(String, String)] = [("requests", "2.2.0"), ("urllib3", "1.24.1")]

    @Test func pushIsScannedAndTheDefenderIsLogged() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let image = try await TestImage.python(Self.vulnerable)
        let started = Date()
        let digest = try await image.push(to: server.address, "team/app", tag: "v1")
        let view = try await server.waitFor("team/app:v1", timeout: 30)
        let latency = Date().timeIntervalSince(started)
        // A bound against a scan that never starts, not a measurement (benchmarks/defender
        // measures latency): the whole suite runs in parallel beside this test.
        #expect(latency < 30, "push to findings took \(latency) s")
        #expect(view["digest"] as? String == digest)
        #expect(view["tags"] as? [String] == ["v1"])
        #expect(view["healthy"] as? Bool == false)
        #expect(ids(view, state: "open").contains("CVE-2014-1830"), "requests 2.2.0 is affected by PYSEC-2014-14")
        let findings = view["findings"] as? [[String: Any]] ?? []
        let first = try #require(findings.first)
        for field in ["vulnerabilityID", "package", "status", "severity", "remediation", "state", "firstSeen", "lastSeen", "match"] {
            #expect(first[field] != nil, "finding field \(field)")
        }
        let remediations = view["remediations"] as? [[String: Any]] ?? []
        #expect(remediations.contains { ($0["action"] as? String)?.hasPrefix("pip install 'requests>=") == true })

        // The defender logged in through the token endpoint and pulled through the gate.
        let logins = try await server.logRows(.loginEvents, identity: "defender")
        #expect(!logins.isEmpty && logins.allSatisfy { $0.result == "Success" && $0.identityType == "service" })
        let pulls = try await server.logRows(.repositoryEvents, identity: "defender", operation: "Pull")
        #expect(pulls.contains { $0.repository == "team/app" && $0.digest == digest })
        // Its pulls do not count as pulls for the 30-day window.
        let record = try #require(try await server.defenderStore.image(registry: "local", repository: "team/app", digest: digest))
        #expect(record.lastPulledAt == nil)

        // findings list and affected.
        let list = try await server.admin(.GET, "/admin/findings?repository=team/*")
        let rows = list.body["images"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["tag"] as? String == "v1" && rows.first?["scanStatus"] as? String == "completed")
        let affected = try await server.admin(.GET, "/admin/findings/affected/CVE-2014-1830")
        let images = affected.body["images"] as? [[String: Any]] ?? []
        #expect(affected.body["vulnerabilityID"] as? String == "CVE-2014-1830")
        #expect(images.count == 1 && images.first?["digest"] as? String == digest)
        // An alias (the PyPA advisory's own ID) finds it too.
        let aliases = try #require(findings.first { $0["vulnerabilityID"] as? String == "CVE-2014-1830" }?["aliases"] as? [String])
        #expect(aliases.contains("PYSEC-2014-14"))
        let byAlias = try await server.admin(.GET, "/admin/findings/affected/PYSEC-2014-14")
        #expect((byAlias.body["images"] as? [[String: Any]])?.count == 1)

        // A delete removes it from the open views.
        var request = try await server.admin(.GET, "/admin/defender")
        #expect((request.body["images"] as? [String: Any])?["total"] as? Int == 1)
        _ = try await Command.run(["curl", "-sf", "-X", "DELETE", "-u", "admin:\(TestRegistry.adminPassword)",
                                   "\(server.url)/v2/team/app/manifests/\(digest)"])
        try await waitUntil { ((try? await server.admin(.GET, "/admin/findings/affected/PYSEC-2014-14"))?.body["images"] as? [Any])?.isEmpty == true }
        request = try await server.admin(.GET, "/admin/defender")
        #expect((request.body["images"] as? [String: Any])?["total"] as? Int == 0)
        await server.stop()
    }

    @Test func withoutADatabaseImagesAreInventoriedNotHealthy() async throws {
        let server = try await ScanningRegistry.start(database: nil)
        let image = try await TestImage.python(Self.vulnerable)
        try await image.push(to: server.address, "team/app", tag: "v1")
        let view = try await server.waitFor("team/app:v1", status: ["no-database"], timeout: 30)
        #expect(view["healthy"] is NSNull || view["healthy"] == nil, "no database is never 'healthy'")
        #expect((view["statusMessage"] as? String)?.contains("no vulnerability database") == true)
        let status = try await server.admin(.GET, "/admin/defender")
        #expect((status.body["database"] as? [String: Any])?["loaded"] as? Bool == false)
        #expect((status.body["images"] as? [String: Any])?["healthy"] as? Int == 0)

        // A database appearing later is noticed and matched against the stored inventory.
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        try FileManager.default.copyItem(atPath: database, toPath: server.databasePath + ".new")
        #expect(rename(server.databasePath + ".new", server.databasePath) == 0)
        let matched = try await server.waitFor("team/app:v1", status: ["completed"], timeout: 30)
        #expect(ids(matched).contains("CVE-2014-1830"))
        await server.stop()
    }

    @Test func aNewDatabaseAddsFindingsWithoutPulling() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let without = try await TestDatabases.build(into: dir, name: "without-django", without: ["django"])
        let full = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: without)
        let image = try await TestImage.python(Self.vulnerable + [("Django", "2.2.0")])
        try await image.push(to: server.address, "web/site", tag: "1")
        let otherDigest = try await TestImage.python(Self.vulnerable).push(to: server.address, "other/app", tag: "1")
        let before = try await server.waitFor("web/site:1")
        let otherView = try await server.waitFor("other/app:1")
        let otherBefore = try #require(try await server.defenderStore.image(registry: "local", repository: "other/app", digest: otherDigest)?.evaluatedAt)
        #expect(!ids(before).contains("PYSEC-2019-11"))
        let pullsBefore = try await server.logRows(.repositoryEvents, identity: "defender", operation: "Pull").count
        #expect(pullsBefore > 0)

        // Replace the file the way `drydock db update` does: write beside it, rename over it.
        try FileManager.default.copyItem(atPath: full, toPath: server.databasePath + ".tmp")
        #expect(rename(server.databasePath + ".tmp", server.databasePath) == 0)
        let after = try await server.waitFor("web/site:1", timeout: 30) { ids($0).count > ids(before).count }
        #expect(ids(after).isSuperset(of: ids(before)))
        let djangoFindings = (after["findings"] as? [[String: Any]] ?? []).filter { ($0["package"] as? [String: Any])?["name"] as? String == "Django" }
        #expect(!djangoFindings.isEmpty, "the new database's Django advisories match the stored inventory")
        let pullsAfter = try await server.logRows(.repositoryEvents, identity: "defender", operation: "Pull").count
        #expect(pullsAfter == pullsBefore, "re-matching pulls nothing")
        // The image without Django was not matched again (the update touched only Django's
        // advisories), but counts as matched against the new database.
        let other = try #require(try await server.defenderStore.image(registry: "local", repository: "other/app", digest: otherDigest))
        let site = try #require(try await server.defenderStore.image(registry: "local", repository: "web/site", digest: image.digest))
        #expect(other.databaseBuiltAt != nil && other.databaseBuiltAt == site.databaseBuiltAt)
        #expect(other.evaluatedAt ?? 0 > otherBefore)
        #expect(ids(try await server.show("other/app:1")) == ids(otherView))
        await server.stop()
    }

    /// A database update that changes some advisory keys matches only the packages under them
    /// again; what it stores must be exactly what matching the whole image would have stored.
    /// After each partial re-match a full one is run: it must find nothing to change.
    @Test func aPartialRematchStoresWhatAFullOneWould() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-partial")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let without = try await TestDatabases.build(into: dir, name: "without-django", without: ["django"])
        let full = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: without)
        let image = try await TestImage.python(Self.vulnerable + [("Django", "2.2.0"), ("Jinja2", "2.10")])
        try await image.push(to: server.address, "web/site", tag: "1")
        let before = try await server.waitFor("web/site:1")
        let id = try #require(try await server.defenderStore.image(registry: "local", repository: "web/site", digest: image.digest)?.id)

        func snapshot() async throws -> [String] {
            // An open finding's lastSeen is the image's last evaluation, which the full re-match
            // itself moves; everything else must stay.
            let findings = try await server.defenderStore.findings(imageID: id, now: server.defender.now).map {
                "\($0.key) \($0.state) first=\($0.firstSeen) last=\($0.state == .open ? 0 : $0.lastSeen)"
                    + " resolved=\($0.resolvedAt ?? -1) by=\($0.resolvedBy ?? "")"
                    + " \($0.finding.severity) \($0.finding.fixedVersion ?? "") \($0.finding.remediation ?? "")"
            }.sorted()
            let remediations = try await server.defenderStore.remediations(imageID: id).map {
                "\($0.package.name)@\($0.package.location) \($0.action) fixes=\($0.fixes) unfixed=\($0.unfixed) \($0.highestSeverity)"
            }
            let warnings = try await server.defenderStore.warnings(imageID: id).sorted()
            return findings + ["--"] + remediations + ["--"] + warnings
        }
        for (database, step) in [(full, "Django's advisories added"), (without, "Django's advisories withdrawn")] {
            let count = ids(try await server.show("web/site:1", state: "all")).count
            try FileManager.default.copyItem(atPath: database, toPath: server.databasePath + ".tmp")
            #expect(rename(server.databasePath + ".tmp", server.databasePath) == 0)
            _ = try await server.waitFor("web/site:1", timeout: 30) { _ in true }
            // Wait for the re-match itself (the view may answer before it).
            for _ in 0..<300 where ids(try await server.show("web/site:1", state: "all")).count == count && step.hasSuffix("added") {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(300))
            let partial = try await snapshot()
            #expect(partial.contains { $0.contains("|pypi|Django|") } , "\(step): Django's findings are there (open or resolved)")
            #expect(try await server.defender.reevaluate(imageID: id))
            let whole = try await snapshot()
            #expect(partial == whole, "\(step): a full re-match changed what the partial one stored")
        }
        // Withdrawn again: Django's findings are resolved by the image's own digest, the others open.
        let last = try await server.show("web/site:1")
        #expect(ids(last) == ids(before))
        await server.stop()
    }

    @Test func aDatabaseUpdateNamesTheKeysItChanged() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let without = try await VulnDatabase.open(path: try await TestDatabases.build(into: dir, name: "without-django", without: ["django"]))
        let full = try await VulnDatabase.open(path: try await TestDatabases.build(into: dir, name: "full"))
        let changed = try await full.fingerprint().changedKeys(comparedTo: try await without.fingerprint())
        #expect(changed == ["pypi|django"])
        #expect(try await full.fingerprint().changedKeys(comparedTo: try await full.fingerprint()).isEmpty)
        await without.close()
        await full.close()
    }

    @Test func aReplacementResolvesWhatItFixedNamingTheNewDigest() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let old = try await TestImage.python(Self.vulnerable).push(to: server.address, "team/api", tag: "prod")
        let first = try await server.waitFor("team/api:prod")
        let requestsIDs = Set((first["findings"] as? [[String: Any]] ?? [])
            .filter { ($0["package"] as? [String: Any])?["name"] as? String == "requests" }.compactMap { $0["vulnerabilityID"] as? String })
        #expect(!requestsIDs.isEmpty)

        // The fix: requests upgraded far past every advisory, urllib3 left as it was.
        let fixed = try await TestImage.python([("requests", "99.0.0"), ("urllib3", "1.24.1")]).push(to: server.address, "team/api", tag: "prod")
        #expect(fixed != old)
        let now = try await server.waitFor("team/api:prod", timeout: 30) { $0["digest"] as? String == fixed }
        let open = ids(now, state: "open")
        #expect(open.isDisjoint(with: requestsIDs))
        #expect(!open.isEmpty, "urllib3's findings stay open")
        let resolved = try await server.show("team/api:prod", state: "resolved")
        let resolvedFindings = resolved["findings"] as? [[String: Any]] ?? []
        #expect(Set(resolvedFindings.compactMap { $0["vulnerabilityID"] as? String }) == requestsIDs)
        #expect(resolvedFindings.allSatisfy { $0["resolvedBy"] as? String == fixed && $0["resolvedAt"] is String && $0["state"] as? String == "resolved" })
        // The old digest's own view says the same.
        let oldView = try await server.show("team/api@\(old)", state: "resolved")
        #expect(Set((oldView["findings"] as? [[String: Any]] ?? []).compactMap { $0["vulnerabilityID"] as? String }) == requestsIDs)
        // A finding both digests have keeps its first-seen time.
        let urllib3Before = (first["findings"] as? [[String: Any]] ?? []).first { ($0["package"] as? [String: Any])?["name"] as? String == "urllib3" }
        let urllib3After = (now["findings"] as? [[String: Any]] ?? []).first { $0["vulnerabilityID"] as? String == urllib3Before?["vulnerabilityID"] as? String }
        #expect(urllib3After?["firstSeen"] as? String == urllib3Before?["firstSeen"] as? String)

        // Re-evaluating the old digest later (a database update, the daily pass) does not reopen
        // what the replacement resolved.
        _ = try await server.defender.continuousPass()
        let afterPass = try await server.show("team/api@\(old)", state: "resolved")
        #expect(Set((afterPass["findings"] as? [[String: Any]] ?? []).compactMap { $0["vulnerabilityID"] as? String }) == requestsIDs)
        let affected = try await server.admin(.GET, "/admin/findings/affected/CVE-2014-1830")
        #expect((affected.body["images"] as? [[String: Any]] ?? []).isEmpty, "the replaced digest no longer counts as affected")
        #expect(try await server.defenderStore.summaryDifferences().isEmpty, "the counts the triggers keep")
        let trend = try await server.defenderStore.trend(days: 2, now: Date().timeIntervalSince1970)
        #expect(trend.last.map { $0.opened > 0 && $0.resolved == requestsIDs.count } == true, "today's trend: \(trend)")
        await server.stop()
    }

    @Test func movingATagToAnImageScannedBeforeResolvesWhatItFixed() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let vulnerable = try await TestImage.python([("requests", "2.2.0")])
        let fixed = try await TestImage.python([("requests", "99.0.0")])
        let old = try await vulnerable.push(to: server.address, "team/web", tag: "prod")
        let new = try await fixed.push(to: server.address, "team/web", tag: "candidate")
        try await server.waitFor("team/web:prod")
        try await server.waitFor("team/web:candidate")
        // Promote the candidate: the same manifest pushed under prod (what `crane tag` does).
        try await fixed.push(to: server.address, "team/web", tag: "prod")
        let promoted = try await server.waitFor("team/web:prod") { $0["digest"] as? String == new }
        #expect(!ids(promoted, state: "open").contains("CVE-2014-1830"))
        try await waitUntil {
            let view = try? await server.show("team/web@\(old)", state: "resolved")
            return (view?["findings"] as? [[String: Any]] ?? []).contains { $0["vulnerabilityID"] as? String == "CVE-2014-1830" && $0["resolvedBy"] as? String == new }
        }
        await server.stop()
    }

    @Test func onlyImagesPulledWithinTheWindowAreReevaluated() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let offset = Mutex<Double>(0)
        let clock = DefenderClock { Date().timeIntervalSince1970 + offset.withLock { $0 } }
        let server = try await ScanningRegistry.start(database: database, clock: clock)
        let stale = try await TestImage.python([("requests", "2.2.0")]).push(to: server.address, "old/app", tag: "1")
        let recent = try await TestImage.python([("urllib3", "1.24.1")]).push(to: server.address, "new/app", tag: "1")
        try await server.waitFor("old/app:1")
        try await server.waitFor("new/app:1")

        // Sixty days on: one image was last pulled 31 days ago, the other 29.
        offset.withLock { $0 = 60 * 86400 }
        let now = clock.now()
        try await server.defender.handle(ImageEvent(kind: .pull, repository: "old/app", digest: stale, tag: "1", time: now - 31 * 86400))
        try await server.defender.handle(ImageEvent(kind: .pull, repository: "new/app", digest: recent, tag: "1", time: now - 29 * 86400))
        let evaluatedBefore = try #require(try await server.defenderStore.image(registry: "local", repository: "old/app", digest: stale)?.evaluatedAt)
        let stats = try await server.defender.continuousPass()
        #expect(stats.reevaluated == 1 && stats.outsideWindow == 1)
        let oldRecord = try #require(try await server.defenderStore.image(registry: "local", repository: "old/app", digest: stale))
        let newRecord = try #require(try await server.defenderStore.image(registry: "local", repository: "new/app", digest: recent))
        #expect(oldRecord.evaluatedAt == evaluatedBefore, "pulled 31 days ago: not re-evaluated")
        #expect((newRecord.evaluatedAt ?? 0) >= now, "pulled 29 days ago: re-evaluated")
        let status = try await server.admin(.GET, "/admin/defender")
        #expect((status.body["continuous"] as? [String: Any])?["notPulledWithinWindow"] as? Int == 1)
        await server.stop()
    }

    @Test func theNetworkRulesApplyToTheDefender() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database, privateEndpoint: true)
        let access = try #require(server.registry.access)
        let privateAddress = try #require(server.privateAddress)
        var rules = access.networkRules
        rules.publicAccess = false
        try await access.setNetworkRules(rules)

        // Public access off, trusted services allowed: the defender still scans.
        try await TestImage.python([("requests", "2.2.0")]).push(to: privateAddress, "team/a", tag: "1")
        try await server.waitFor("team/a:1", timeout: 30)

        // Trusted services off: the scan is blocked, and says what to change.
        let answer = try await server.admin(.PATCH, "/admin/network", json: ["trustedServices": false], via: privateAddress)
        #expect(answer.status == 200)
        try await TestImage.python([("urllib3", "1.24.1")]).push(to: privateAddress, "team/b", tag: "1")
        let blocked = try await server.waitFor("team/b:1", status: ["blocked-by-network-rules"], timeout: 30)
        #expect((blocked["statusMessage"] as? String)?.contains("trusted-services on") == true)
        let refused = try await server.logRows(.loginEvents, identity: "defender")
        #expect(!refused.isEmpty)

        // Allowed again: the blocked scan completes without a new push.
        _ = try await server.admin(.PATCH, "/admin/network", json: ["trustedServices": true], via: privateAddress)
        // Within a minute (the test's retry interval is 2 s; the server's is 30 s).
        try await server.waitFor("team/b:1", timeout: 60)
        await server.stop()
    }

    @Test func importFromAnotherDrydockIsScannedAndLogged() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let source = try await TestRegistry.start(access: true)
        let server = try await ScanningRegistry.start(database: database)
        let digest = try await TestImage.python(Self.vulnerable).push(to: source.address, "upstream/app", tag: "2.0")

        let answer = try await server.admin(.POST, "/admin/import", json: [
            "source": "\(source.address)/upstream/app:2.0", "target": "mirror/app", "insecure": true,
            "username": "admin", "password": TestRegistry.adminPassword,
        ])
        #expect(answer.status == 201, "\(answer.body)")
        #expect(answer.body["digest"] as? String == digest)
        let view = try await server.waitFor("mirror/app:2.0", timeout: 30)
        #expect(ids(view).contains("CVE-2014-1830"))
        let imports = try await server.logRows(.repositoryEvents, operation: "import")
        #expect(imports.contains { $0.operation == "Import" && $0.repository == "mirror/app" && $0.digest == digest && $0.result == "Success" })

        // A source that does not exist: a clear error, nothing stored.
        let missing = try await server.admin(.POST, "/admin/import", json: [
            "source": "\(source.address)/upstream/none:1", "target": "mirror/none", "insecure": true,
        ])
        #expect(missing.status == 502)
        #expect(try await server.registry.store.metadata.repositoryExists("mirror/none") == false)
        let bad = try await server.admin(.POST, "/admin/import", json: ["source": "not a reference", "target": "x"])
        #expect(bad.status == 400)
        await source.stop()
        await server.stop()
    }

    @Test func corruptLayersFailAndBoundsGivePartialInventoriesWhileOthersGoOn() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        // A small bound on the bytes an image may uncompress to, so that a test image reaches it.
        let server = try await ScanningRegistry.start(database: database) { $0.analysisLimits.maxImageSize = 100 << 20 }
        // Not gzip at all, though the manifest says so.
        let corrupt = try await TestImage(layers: [Array("this is not a gzip stream, whatever the manifest says".utf8)])
        try await corrupt.push(to: server.address, "bad/corrupt", tag: "1")
        // A vulnerable Python package, then a 300 MB file of zeros (gzipped to about 300 KB: a
        // sparse file, not a bomb), past the 100 MB bound: the package read before it is reported.
        let sparsePath = dir + "/sparse.gz"
        let made = try await Command.run(["sh", "-c", """
            cd '\(dir)' && mkdir -p usr/local/lib/python3.11/site-packages/requests-2.2.0.dist-info \
              && printf 'Metadata-Version: 2.1\\nName: requests\\nVersion: 2.2.0\\n' > usr/local/lib/python3.11/site-packages/requests-2.2.0.dist-info/METADATA \
              && truncate -s 300M zeros && tar cf - usr zeros | gzip -9 > '\(sparsePath)' && rm -r zeros usr
            """])
        #expect(made.succeeded, "\(made.stderr)")
        let sparse = try await TestImage(layers: [Array(try Data(contentsOf: URL(fileURLWithPath: sparsePath)))])
        try await sparse.push(to: server.address, "bad/sparse", tag: "1")
        try await TestImage.python(Self.vulnerable).push(to: server.address, "good/app", tag: "1")

        let failed = try await server.waitFor("bad/corrupt:1", status: ["failed"], timeout: 60)
        #expect(!((failed["statusMessage"] as? String) ?? "").isEmpty)
        let partial = try await server.waitFor("bad/sparse:1", status: ["failed", "completed"], timeout: 120)
        #expect(partial["scanStatus"] as? String == "completed", "\(partial["statusMessage"] ?? "")")
        #expect((partial["statusMessage"] as? String ?? "").contains("inventory incomplete"), "\(partial["statusMessage"] ?? "")")
        #expect(ids(partial).contains("CVE-2014-1830"), "the package read before the bound is matched")
        try await server.waitFor("good/app:1", timeout: 60)
        await server.stop()
    }
}

/// Polls `condition` every 100 ms for up to `timeout` seconds.
func waitUntil(timeout: Double = 30, _ condition: () async -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestSupportError("condition not met within \(timeout) s")
}

/// A replacement with no findings at all still resolves everything the old digest had (the
/// "nothing changed" shortcut of a re-match must not skip it).
@Suite struct CleanReplacementTests {
    @Test func aCleanReplacementResolvesEverything() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let old = try await TestImage.python([("requests", "2.2.0")]).push(to: server.address, "team/app", tag: "v1")
        try await server.waitFor("team/app:v1")
        let new = try await TestImage.python([("requests", "99.0.0")]).push(to: server.address, "team/app", tag: "v1")
        let clean = try await server.waitFor("team/app:v1") { $0["digest"] as? String == new }
        #expect(ids(clean, state: "open").isEmpty && clean["healthy"] as? Bool == true)
        let oldView = try await server.show("team/app@\(old)", state: "all")
        let states = Set((oldView["findings"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String })
        #expect(states == ["resolved"])
        let affected = try await server.admin(.GET, "/admin/findings/affected/CVE-2014-1830")
        #expect((affected.body["images"] as? [[String: Any]] ?? []).isEmpty)
        await server.stop()
    }
}

/// An image deleted and pushed again comes back into `findings affected`, though nothing about
/// its findings changed.
@Suite struct RepushTests {
    @Test func aDeletedImagePushedAgainIsAffectedAgain() async throws {
        let dir = try TemporaryDirectory.make(prefix: "defender-db")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try await TestDatabases.build(into: dir, name: "full")
        let server = try await ScanningRegistry.start(database: database)
        let image = try await TestImage.python([("requests", "2.2.0")])
        let digest = try await image.push(to: server.address, "team/app", tag: "v1")
        try await server.waitFor("team/app:v1")
        func affected() async throws -> Int {
            ((try await server.admin(.GET, "/admin/findings/affected/CVE-2014-1830")).body["images"] as? [Any] ?? []).count
        }
        #expect(try await affected() == 1)
        _ = try await Command.run(["curl", "-sf", "-X", "DELETE", "-u", "admin:\(TestRegistry.adminPassword)",
                                   "\(server.url)/v2/team/app/manifests/\(digest)"])
        try await waitUntil { (try? await affected()) == 0 }
        try await image.push(to: server.address, "team/app", tag: "v1")
        try await waitUntil { (try? await affected()) == 1 }
        await server.stop()
    }
}
