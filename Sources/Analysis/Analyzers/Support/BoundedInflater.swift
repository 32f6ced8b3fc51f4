import Foundation
import ZIPFoundation

/// DEFLATE (RFC 1951) and zlib (RFC 1950) decompression with a hard cap on the output, for zip
/// entries and cargo-auditable's `.dep-v0` section.
///
/// It uses ZIPFoundation's public `Data.decompress` (zlib on Linux, Compression on Apple systems)
/// but feeds it through its own provider, for two reasons found in ZIPFoundation 0.9.20's Linux
/// path: it sets `avail_in` to the full buffer size whatever the provider returned, so a short
/// last chunk would let zlib read past it; and it asks for more input until the stream ends,
/// spinning forever once the input is exhausted. Here the provider pads a short chunk with zeros
/// (never read when the stream ends inside the real bytes) and throws once the compressed bytes
/// are used up, so a truncated or hostile stream ends in an error, and the consumer throws as soon
/// as the output passes the limit (zip bombs).
enum BoundedInflater {
    enum Failure: Error, Equatable, CustomStringConvertible {
        /// The compressed bytes ended before the end-of-stream marker.
        case truncated
        /// Not a valid stream.
        case corrupt(String)
        /// The output would be larger than `limit` bytes.
        case tooLarge(limit: Int)

        var description: String {
            switch self {
            case .truncated: return "compressed data ends before the end of the stream"
            case .corrupt(let why): return "corrupt compressed data (\(why))"
            case .tooLarge(let limit): return "decompresses to more than \(limit) bytes"
            }
        }
    }

    private static let chunkSize = 64 * 1024

    /// Inflates the raw DEFLATE stream of `compressedSize` bytes at `offset` in `source`.
    static func inflateRaw(_ source: any RandomAccessBytes, offset: Int, compressedSize: Int, limit: Int) throws -> Data {
        guard compressedSize > 0 else { throw Failure.truncated }
        guard source.contains(offset: offset, length: compressedSize) else { throw Failure.truncated }
        var output = Data()
        do {
            _ = try Data.decompress(
                size: Int64(compressedSize), bufferSize: chunkSize, skipCRC32: true,
                provider: { position, wanted in
                    guard position >= 0, position < Int64(compressedSize), wanted > 0 else { throw Failure.truncated }
                    let start = Int(position)
                    var chunk = try source.read(at: offset + start, count: min(wanted, compressedSize - start))
                    if chunk.count < wanted { chunk.append(Data(count: wanted - chunk.count)) }
                    return chunk
                },
                consumer: { piece in
                    guard piece.count <= limit - output.count else { throw Failure.tooLarge(limit: limit) }
                    output.append(piece)
                })
        } catch let failure as Failure {
            throw failure
        } catch let error as ByteRangeError {
            throw Failure.corrupt(error.description)
        } catch {
            throw Failure.corrupt("\(error)")
        }
        return output
    }

    /// Inflates a zlib stream: a 2-byte header (deflate method, no preset dictionary), a DEFLATE
    /// stream, and an Adler-32 trailer that is not checked.
    static func inflateZlib(_ data: Data, limit: Int) throws -> Data {
        let bytes = DataBytes(data)
        guard data.count >= 2 else { throw Failure.truncated }
        let header = try bytes.read(at: 0, count: 2)
        let cmf = header[0], flg = header[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7 else { throw Failure.corrupt("not a zlib deflate stream") }
        guard (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { throw Failure.corrupt("bad zlib header check") }
        guard flg & 0x20 == 0 else { throw Failure.corrupt("zlib preset dictionary") }
        return try inflateRaw(bytes, offset: 2, compressedSize: data.count - 2, limit: limit)
    }
}
