import Versioning

/// libFuzzer target: every ecosystem's version parser, and the order it defines. The first byte
/// picks the ecosystem, the rest is two versions separated by a NUL. Parsing may fail; it may not
/// crash, hang, or give an order that contradicts itself (a < b and b < a, or a ≠ a).
/// Built by scripts/fuzz.sh (`-D FUZZING`, `-sanitize=fuzzer`); a plain build gets a stub main.
func fuzzVersions(_ bytes: UnsafeRawBufferPointer) {
    guard let selector = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    let parts = rest.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false).map(Array.init)
    let a = String(decoding: parts.first ?? [], as: UTF8.self)
    let b = String(decoding: parts.count > 1 ? parts[1] : [], as: UTF8.self)
    switch selector % 12 {
    case 0: check(DpkgVersion.self, a, b)
    case 1: check(RpmVersion.self, a, b)
    case 2: check(ApkVersion.self, a, b)
    case 3: check(PEP440Version.self, a, b)
    case 4: check(NpmVersion.self, a, b)
    case 5: check(GoModuleVersion.self, a, b)
    case 6: check(MavenVersion.self, a, b)
    case 7: check(CargoVersion.self, a, b)
    case 8: check(ComposerVersion.self, a, b)
    case 9: check(NuGetVersion.self, a, b)
    case 10: check(RubyGemsVersion.self, a, b)
    default: check(SemanticVersion.self, a, b)
    }
}

func check<V: EcosystemVersion>(_ type: V.Type, _ a: String, _ b: String) {
    guard let x = try? V(a) else { return }
    _ = x.description
    guard x.compare(to: x) == .equal else { fatalError("\(V.self) \(a.debugDescription) is not equal to itself") }
    guard let y = try? V(b) else { return }
    let forward = x.compare(to: y), backward = y.compare(to: x)
    let consistent = (forward == .equal && backward == .equal) || (forward == .less && backward == .greater)
        || (forward == .greater && backward == .less)
    guard consistent else { fatalError("\(V.self): \(a.debugDescription) vs \(b.debugDescription) is \(forward) one way, \(backward) the other") }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVersionsEntry(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzVersions(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

/// libFuzzer's driver, run from this target's own main: SwiftPM links debug executables with
/// `main` aliased to `FuzzVersions_main`, so libFuzzer's `main` is not the one that runs.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzVersions_main")
public func fuzzVersionsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzVersionsEntry)
}
#else
@main
struct FuzzVersionsStub {
    static func main() { print("a libFuzzer target: run it with scripts/fuzz.sh versions [SECONDS]") }
}
#endif
