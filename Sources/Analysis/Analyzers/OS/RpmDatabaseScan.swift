import Foundation

/// Accumulates the packages of one rpm database as its header blobs are read, whatever the
/// storage format. A blob that does not parse is skipped and counted; a database in which no blob
/// parsed but some failed is reported as malformed, with the first reason.
struct RpmDatabaseScan {
    let location: String
    private(set) var findings = FileFindings()
    private(set) var failures = 0
    private(set) var firstFailure: String?
    /// Stop accumulating file ownership beyond this many paths (a real system has a few hundred thousand).
    var maxOwnedFiles = 5_000_000

    init(location: String) { self.location = location }

    mutating func add(_ blob: Result<[UInt8], RpmFormatError>) {
        do {
            let header = try RpmHeader(blob: blob.get())
            guard let (package, files) = try RpmInstalledPackage.make(from: header, location: location) else { return }
            findings.packages.append(package)
            let owner = "rpm:\(package.name)"
            for path in files where findings.ownedFiles.count < maxOwnedFiles {
                // Directories are shared by many packages: the first owner in database order wins.
                if findings.ownedFiles[path] == nil { findings.ownedFiles[path] = owner }
            }
        } catch {
            failures += 1
            if firstFailure == nil { firstFailure = error.reason }
        }
    }

    mutating func fail(_ reason: String) {
        failures += 1
        if firstFailure == nil { firstFailure = reason }
    }

    func result() throws -> FileFindings {
        if findings.packages.isEmpty, failures > 0 {
            throw AnalysisError.malformed(location, "no readable package header (\(failures) bad): \(firstFailure ?? "")")
        }
        return findings
    }
}
