import CIsal
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

/// gzip (possibly several concatenated members, as pigz and some tools write) through ISA-L's
/// igzip, which inflates 2–3× faster than zlib on x86-64 and arm64 — and inflating is most of
/// the cost of analysing a layer.
final class GzipInflater: StreamDecompressor {
    private let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: decompressedChunkSize, alignment: 64)
    private var inMember = false

    init() throws {
        startMember()
    }

    deinit {
        state.deallocate()
        buffer.deallocate()
    }

    private func startMember() {
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)  // parse the gzip header, verify the CRC trailer
    }

    func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        state.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(input.count)
        var produced = 0
        // Go on while input remains, or while the last round filled the buffer (more output may be
        // pending inside the inflater even with no input left).
        repeat {
            if !inMember {
                guard state.pointee.avail_in > 0 else { return }
                // Trailing zero padding after the last member is common (tar blocking); accept it.
                let rest = UnsafeRawBufferPointer(start: state.pointee.next_in, count: Int(state.pointee.avail_in))
                if rest.allSatisfy({ $0 == 0 }) { state.pointee.avail_in = 0; return }
                inMember = true
            }
            state.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_out = UInt32(buffer.count)
            let status = isal_inflate(state)
            produced = buffer.count - Int(state.pointee.avail_out)
            if produced > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[0..<produced])) }
            guard status >= 0 else { throw AnalysisError.unsupported("gzip data is corrupt (\(Self.describe(status)))") }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                // Keep what is left of the input for the next member.
                let nextIn = state.pointee.next_in
                let availIn = state.pointee.avail_in
                inMember = false
                startMember()
                state.pointee.next_in = nextIn
                state.pointee.avail_in = availIn
            }
        } while state.pointee.avail_in > 0 || produced == buffer.count
    }

    func finish() throws {
        if inMember { throw AnalysisError.unsupported("gzip stream is truncated") }
    }

    static func describe(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: return "invalid deflate block"
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol"
        case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance"
        case ISAL_INVALID_WRAPPER: return "not a gzip header"
        case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method"
        case ISAL_INCORRECT_CHECKSUM: return "CRC mismatch"
        default: return "error \(status)"
        }
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
