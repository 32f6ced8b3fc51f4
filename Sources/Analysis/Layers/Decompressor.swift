import CGzip
import CZstd

/// A push-style decompressor: compressed bytes go in as they arrive (from a file or the network),
/// decompressed bytes come out through a callback, in chunks of at most `outputChunk` bytes.
/// The callback's buffer is only valid during the call.
protocol StreamDecompressor: AnyObject {
    func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Called after the last input: throws if the stream stopped mid-frame (a truncated layer).
    func finish() throws
}

enum LayerCompression: String, Sendable {
    case none, gzip, zstd

    /// Detected from the first bytes rather than trusted from the media type: registries and
    /// docker-archives mislabel layers often enough (uncompressed "tar.gzip", zstd in "tar").
    static func detect(_ prefix: UnsafeRawBufferPointer) -> LayerCompression {
        if prefix.count >= 2, prefix[0] == 0x1F, prefix[1] == 0x8B { return .gzip }
        if prefix.count >= 4, prefix[0] == 0x28, prefix[1] == 0xB5, prefix[2] == 0x2F, prefix[3] == 0xFD { return .zstd }
        return .none
    }

    func makeDecompressor() throws -> any StreamDecompressor {
        switch self {
        case .none: return Passthrough()
        case .gzip: return try GzipInflater()
        case .zstd: return try ZstdInflater()
        }
    }
}

let decompressedChunkSize = 256 << 10

final class Passthrough: StreamDecompressor {
    func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        if !input.isEmpty { try output(input) }
    }
    func finish() throws {}
}

/// gzip (possibly several concatenated members, as pigz and some tools write) through zlib.
final class GzipInflater: StreamDecompressor {
    private var stream = z_stream()
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: decompressedChunkSize, alignment: 16)
    private var inMember = false

    init() throws {
        // 15 + 16: gzip wrapper only (a zlib or raw stream is not a layer format).
        guard czlib_inflate_init(&stream, 15 + 16) == Z_OK else {
            buffer.deallocate()
            throw AnalysisError.unsupported("zlib could not be initialised")
        }
    }

    deinit {
        inflateEnd(&stream)
        buffer.deallocate()
    }

    func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 {
            if !inMember {
                // Trailing zero padding after the last member is common (tar blocking); accept it.
                let rest = UnsafeRawBufferPointer(start: stream.next_in, count: Int(stream.avail_in))
                if rest.allSatisfy({ $0 == 0 }) { stream.avail_in = 0; return }
                inMember = true
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            if produced > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[0..<produced])) }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                inMember = false
                inflateReset(&stream)
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw AnalysisError.unsupported("gzip data is corrupt (\(message))")
            }
        }
    }

    func finish() throws {
        if inMember { throw AnalysisError.unsupported("gzip stream is truncated") }
    }
}

/// zstd (one or more frames) through libzstd's streaming API.
final class ZstdInflater: StreamDecompressor {
    private let stream: OpaquePointer
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: decompressedChunkSize, alignment: 16)
    private var midFrame = false

    init() throws {
        guard let stream = ZSTD_createDStream() else {
            buffer.deallocate()
            throw AnalysisError.unsupported("zstd could not be initialised")
        }
        self.stream = stream
        // Cap the window (memory) a hostile frame can ask for: 2^27 = 128 MiB, zstd's own default limit.
        ZSTD_DCtx_setParameter(stream, ZSTD_d_windowLogMax, 27)
    }

    deinit {
        ZSTD_freeDStream(stream)
        buffer.deallocate()
    }

    func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var inBuffer = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        while inBuffer.pos < inBuffer.size {
            var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let hint = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
            if ZSTD_isError(hint) != 0 {
                throw AnalysisError.unsupported("zstd data is corrupt (\(String(cString: ZSTD_getErrorName(hint))))")
            }
            midFrame = hint != 0
            if outBuffer.pos > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[0..<outBuffer.pos])) }
        }
        // Drain output that zstd holds back when the output buffer filled exactly.
        while midFrame {
            var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            var empty = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
            let hint = ZSTD_decompressStream(stream, &outBuffer, &empty)
            if ZSTD_isError(hint) != 0 {
                throw AnalysisError.unsupported("zstd data is corrupt (\(String(cString: ZSTD_getErrorName(hint))))")
            }
            midFrame = hint != 0
            if outBuffer.pos == 0 { break }
            try output(UnsafeRawBufferPointer(rebasing: buffer[0..<outBuffer.pos]))
        }
    }

    func finish() throws {
        if midFrame { throw AnalysisError.unsupported("zstd stream is truncated") }
    }
}
