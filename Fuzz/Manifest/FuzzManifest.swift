import OCI

/// libFuzzer target: the registry's parsers of untrusted bytes that need no I/O — manifest and
/// index JSON (under each media type a client may claim), image references, repository names,
/// tags and digests. The first byte picks what the rest is fed to. Refusing input is fine;
/// crashing or hanging is not, and a manifest that parses must keep what it said it was.
/// Built by scripts/fuzz.sh (`-D FUZZING`, `-sanitize=fuzzer`); a plain build gets a stub main.
func fuzzManifest(_ bytes: UnsafeRawBufferPointer) {
    guard let selector = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    let text = String(decoding: rest, as: UTF8.self)
    switch selector % 6 {
    case 0, 1, 2:
        let types: [String?] = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList, nil]
        let claimed = types[Int(selector / 6) % types.count]
        guard let parsed = try? ParsedManifest.parse(rest, contentType: claimed) else { return }
        // What parsed is one of the two kinds, with the references that kind has.
        switch parsed.kind {
        case .image: if parsed.config == nil && parsed.layers.isEmpty { _ = parsed.mediaType }
        case .index: if !parsed.layers.isEmpty { fatalError("an index with layers") }
        }
        _ = parsed.requiredBlobs
    case 3:
        _ = try? ImageReference(text)
    case 4:
        if let name = try? RepositoryName(text) { _ = name.description }
        _ = try? Tag(text)
    default:
        if let digest = try? Digest(text), digest.description != text { fatalError("digest \(text.debugDescription) reads back as \(digest)") }
        _ = try? ManifestReference(text)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestEntry(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzManifest(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

/// libFuzzer's driver, run from this target's own main: SwiftPM links debug executables with
/// `main` aliased to `FuzzManifest_main`, so libFuzzer's `main` is not the one that runs.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzManifest_main")
public func fuzzManifestMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzManifestEntry)
}
#else
@main
struct FuzzManifestStub {
    static func main() { print("a libFuzzer target: run it with scripts/fuzz.sh manifest [SECONDS]") }
}
#endif
