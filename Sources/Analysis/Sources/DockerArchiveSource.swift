#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OCI

/// A `docker save` / `skopeo copy … docker-archive:` tarball (`docker-archive:FILE[:REPO:TAG]`).
/// The outer tar is indexed by reading its headers only; layers are then streamed straight out
/// of it with positioned reads, never extracted.
public struct DockerArchiveSource: ImageSource {
    public let reference: String
    let path: String
    let wantedTag: String?

    public init(reference: String, path: String, wantedTag: String?) {
        self.reference = reference
        self.path = path
        self.wantedTag = wantedTag
    }

    struct Member {
        var offset: Int64
        var size: Int64
    }

    private struct ManifestEntry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    public func images(platform: Platform?) async throws -> [ResolvedImage] {
        let members = try index()
        let entries: [ManifestEntry]
        do {
            entries = try JSONDecoder().decode([ManifestEntry].self, from: Data(read(members, "manifest.json", limit: 4 << 20)))
        } catch let error as AnalysisError {
            throw error
        } catch {
            throw AnalysisError.unsupported("\(path): manifest.json is not a docker-archive manifest")
        }
        guard !entries.isEmpty else { throw AnalysisError.unsupported("\(path): manifest.json lists no image") }
        let entry: ManifestEntry
        if let wantedTag {
            guard let found = entries.first(where: { ($0.RepoTags ?? []).contains { $0 == wantedTag || $0.hasSuffix("/" + wantedTag) } }) else {
                throw AnalysisError.unsupported("\(path) has no image tagged \(wantedTag)")
            }
            entry = found
        } else {
            entry = entries[0]
        }
        let configBytes = try read(members, entry.Config, limit: 16 << 20)
        let config = try ManifestResolver.decodeConfig(configBytes, what: reference)
        guard config.rootfs.diffIDs.count == entry.Layers.count else {
            throw AnalysisError.unsupported("\(path): the config lists \(config.rootfs.diffIDs.count) layers, the manifest \(entry.Layers.count)")
        }
        if let platform, !Platform(os: config.os, architecture: config.architecture, variant: config.variant).matches(platform) {
            throw AnalysisError.unsupported("\(path) holds a \(config.os)/\(config.architecture) image, not \(platform)")
        }
        var layers: [Descriptor] = []
        for (name, diffID) in zip(entry.Layers, config.rootfs.diffIDs) {
            guard let member = members[normalise(name)] else {
                throw AnalysisError.unsupported("\(path): layer \(name) is missing from the archive")
            }
            // Newer archives name layers by blob digest (possibly compressed); older ones store
            // uncompressed tars, whose digest is the diff_id.
            let digest = Self.blobDigest(name) ?? diffID
            var descriptor = Descriptor(mediaType: MediaType.ociLayerTar, digest: digest, size: member.size)
            descriptor.annotations = ["drydock.archive.member": normalise(name)]
            layers.append(descriptor)
        }
        return [ResolvedImage(manifestDigest: nil, configDigest: Digest.compute(configBytes), platform:
                                Platform(os: config.os, architecture: config.architecture, variant: config.variant),
                              config: config, layers: layers)]
    }

    public func readLayer(_ layer: Descriptor, of image: ResolvedImage, into sink: LayerSink) async throws {
        guard let name = layer.annotations?["drydock.archive.member"], let member = try index()[name] else {
            throw AnalysisError.unsupported("\(path): layer \(layer.digest) not found")
        }
        try await LocalFileReader.stream(path: path, offset: member.offset, length: member.size, verify: layer.digest, into: sink)
    }

    static func blobDigest(_ name: String) -> Digest? {
        let parts = name.split(separator: "/")
        guard parts.count >= 3, parts[parts.count - 3] == "blobs" else { return nil }
        return try? Digest("\(parts[parts.count - 2]):\(parts[parts.count - 1])")
    }

    private func normalise(_ name: String) -> String { String(ImagePath.normalise(name).dropFirst()) }

    private func read(_ members: [String: Member], _ name: String, limit: Int) throws -> [UInt8] {
        guard let member = members[normalise(name)] else { throw AnalysisError.unsupported("\(path): \(name) is missing from the archive") }
        guard member.size <= Int64(limit) else { throw AnalysisError.unsupported("\(path): \(name) is too large") }
        return try readBytes(offset: member.offset, count: Int(member.size))
    }

    /// Member name → data offset and size, from the tar headers alone.
    func index() throws -> [String: Member] {
        var members: [String: Member] = [:]
        var position: Int64 = 0
        var longName: String?
        var paxPath: String?
        for _ in 0..<100_000 {
            let header = try readBytes(offset: position, count: 512)
            if header.allSatisfy({ $0 == 0 }) { return members }
            guard TarHeaderFields.checksumMatches(header), let size = TarHeaderFields.number(header, 124, 12), size >= 0 else {
                throw AnalysisError.unsupported("\(path) is not a tar archive (bad header at byte \(position))")
            }
            let dataOffset = position + 512
            position = dataOffset + (size + 511) / 512 * 512
            switch header[156] {
            case UInt8(ascii: "L"):
                guard size <= 1 << 20 else { throw AnalysisError.unsupported("\(path): long name record too large") }
                longName = TarHeaderFields.cString(try readBytes(offset: dataOffset, count: Int(size))[...])
            case UInt8(ascii: "x"):
                guard size <= 1 << 20 else { throw AnalysisError.unsupported("\(path): PAX record too large") }
                paxPath = try TarHeaderFields.paxRecords(readBytes(offset: dataOffset, count: Int(size)))["path"]
            default:
                let name = paxPath ?? longName ?? TarHeaderFields.name(header)
                if TarHeaderFields.kind(header[156]) == .file { members[normalise(name)] = Member(offset: dataOffset, size: size) }
                longName = nil
                paxPath = nil
            }
        }
        throw AnalysisError.unsupported("\(path) has too many members for a docker-archive")
    }

    private func readBytes(offset: Int64, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AnalysisError.unsupported("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw AnalysisError.unsupported("\(path) is truncated (at byte \(offset + Int64(done)))") }
            done += got
        }
        return bytes
    }
}
