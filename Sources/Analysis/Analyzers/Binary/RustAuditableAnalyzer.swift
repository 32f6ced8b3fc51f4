import Foundation

/// Rust executables built with cargo-auditable: every crate in their dependency tree, from the
/// `.dep-v0` ELF section (see `RustAuditData`). Build-time dependencies (build scripts,
/// proc-macros) are reported too, marked `kind: build`; the root crate is marked `root: true`.
///
/// Executables without the section, stripped of section headers, or not ELF at all yield nothing;
/// a section that is present but does not decompress to the documented JSON is an error.
public struct RustAuditableAnalyzer: Analyzer {
    public let name = "rust-binary"
    public let version = 1

    static let sectionName = ".dep-v0"

    public init() {}

    public func wants(_ file: FileHeader) -> Bool {
        ExecutableCandidate.wants(file)
    }

    public func analyze(_ file: FileHeader, _ content: FileContent) async throws -> FileFindings {
        guard let image = try ELFImage.open(file, content), let section = image.section(named: Self.sectionName) else { return .none }
        let audit: RustAuditData
        do {
            audit = try RustAuditData(compressed: try image.contents(of: section, limit: RustAuditData.maxSize))
        } catch {
            throw AnalysisError.malformed(file.path, "\(Self.sectionName): \(error)")
        }
        let packages = audit.crates.map { crate in
            var properties: [String: String] = [:]
            if let source = crate.source { properties["source"] = source }
            if crate.kind == "build" { properties["kind"] = "build" }
            if crate.isRoot { properties["root"] = "true" }
            return Package(type: .cargo, name: crate.name, version: crate.version, location: file.path, properties: properties)
        }
        return FileFindings(packages: packages)
    }
}
