import Foundation

/// Java archives (.jar .war .ear .jpi .hpi .par .sar .nar .kar): the Maven packages inside, from
/// pom.properties, else the manifest and file name, including archives nested in archives (fat
/// jars, wars). Packages found in a nested archive carry `properties["nestedPath"]`
/// ("BOOT-INF/lib/snakeyaml-1.33.jar", deeper levels joined with "!"); `location` is always the
/// file itself. See `JavaArchiveScanner` for the rules and limits.
///
/// A file that is not a readable zip, or that exceeds the limits meant for zip bombs, is an error.
public struct JavaArchiveAnalyzer: Analyzer {
    public let name = "java-archive"
    public let version = 1

    let limits: JavaArchiveScanner.Limits

    public init() {
        limits = JavaArchiveScanner.Limits()
    }

    init(limits: JavaArchiveScanner.Limits) {
        self.limits = limits
    }

    public func wants(_ file: FileHeader) -> Bool {
        JavaArchiveScanner.isJavaArchive(file.fileName)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        do {
            let source = try content.randomAccessBytes()
            var scanner = JavaArchiveScanner(limits: limits, location: file.path)
            let packages = try scanner.scan(source, fileName: String(file.fileName), nestedPath: nil, depth: 0)
            return FileFindings(packages: packages)
        } catch let error as AnalysisError {
            throw error
        } catch {
            throw AnalysisError.malformed(file.path, "\(error)")
        }
    }
}
