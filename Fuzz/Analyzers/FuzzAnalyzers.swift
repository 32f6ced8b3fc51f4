import Analysis
import Foundation

/// libFuzzer target: every package analyzer of the catalog (dpkg, apk, rpm and its databases,
/// Python, npm and its lockfiles, Ruby, PHP, .NET, Rust, Go and ELF binaries, Java archives…)
/// fed arbitrary bytes as the file it reads. The first byte picks the analyzer; the file gets a
/// path that analyzer wants. Refusing the input (`AnalysisError`) is fine; crashing, hanging or
/// reporting a package without a name is not.
/// Built by scripts/fuzz.sh (`-D FUZZING`, `-sanitize=fuzzer`); a plain build gets a stub main.
let analyzers = AnalyzerCatalog.all

/// Paths of every file type the analyzers read; each analyzer is given the first it wants.
let candidatePaths = [
    "/var/lib/dpkg/status", "/var/lib/dpkg/status.d/base", "/lib/apk/db/installed", "/var/lib/rpm/Packages",
    "/var/lib/rpm/Packages.db", "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/usr/local/lib/python3.11/site-packages/x-1.0.dist-info/METADATA", "/usr/lib/python3/dist-packages/x-1.0.egg-info/PKG-INFO",
    "/app/poetry.lock", "/app/Pipfile.lock", "/app/requirements.txt", "/app/node_modules/x/package.json", "/app/package-lock.json",
    "/app/yarn.lock", "/app/pnpm-lock.yaml", "/app/Gemfile.lock", "/usr/local/bundle/specifications/x-1.0.gemspec",
    "/app/composer.lock", "/app/vendor/composer/installed.json", "/app/app.deps.json", "/app/Cargo.lock", "/usr/local/bin/app",
    "/app/app.jar", "/app/app.war",
]

func fuzzAnalyzers(_ bytes: UnsafeRawBufferPointer) {
    guard let selector = bytes.first else { return }
    let analyzer = analyzers[Int(selector) % analyzers.count]
    let content = Data(bytes.dropFirst())
    guard let path = candidatePaths.first(where: { analyzer.wants(FileHeader(path: $0, size: Int64(content.count), mode: 0o755)) }) else {
        return
    }
    let header = FileHeader(path: path, size: Int64(content.count), mode: 0o755)
    let done = DispatchSemaphore(value: 0)
    Task {
        if let findings = try? await analyzer.analyze(header, .memory(content)) {
            if findings.packages.contains(where: { $0.name.isEmpty }) { fatalError("\(analyzer.name) reported a package without a name") }
        }
        done.signal()
    }
    done.wait()
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnalyzersEntry(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzAnalyzers(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

/// libFuzzer's driver, run from this target's own main: SwiftPM links debug executables with
/// `main` aliased to `FuzzAnalyzers_main`, so libFuzzer's `main` is not the one that runs.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzAnalyzers_main")
public func fuzzAnalyzersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzAnalyzersEntry)
}
#else
@main
struct FuzzAnalyzersStub {
    static func main() { print("a libFuzzer target: run it with scripts/fuzz.sh analyzers [SECONDS]") }
}
#endif
