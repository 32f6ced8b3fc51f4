/// Every analyzer Drydock ships, in one place: adding a format means adding its file and one
/// line here.
public enum AnalyzerCatalog {
    public static let all: [any Analyzer] = [
        // OS package databases
        DpkgAnalyzer(), ApkAnalyzer(), RpmAnalyzer(),
        // Language package metadata and lockfiles
        PythonPackageAnalyzer(), NodePackageAnalyzer(), NpmLockAnalyzer(), YarnLockAnalyzer(), PnpmLockAnalyzer(),
        GemspecAnalyzer(), GemfileLockAnalyzer(), ComposerAnalyzer(), DotnetDepsAnalyzer(), CargoLockAnalyzer(),
        // Archives and binaries
        JavaArchiveAnalyzer(), GoBinaryAnalyzer(), RustAuditableAnalyzer(),
    ]
}
