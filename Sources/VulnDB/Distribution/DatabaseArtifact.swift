import CompressNIO
import Foundation
import NIOCore
import OCI
import RegistryClient

/// The vulnerability database as an OCI artifact, so an air-gapped fleet can update from its own
/// registry: an image manifest with `artifactType` `application/vnd.drydock.vulndb.v1`, a config
/// holding the database's `DatabaseInfo`, and one layer, the gzip-compressed SQLite file.
public enum DatabaseArtifact {
    public static let artifactType = "application/vnd.drydock.vulndb.v1"
    public static let configMediaType = "application/vnd.drydock.vulndb.config.v1+json"
    public static let layerMediaType = "application/vnd.drydock.vulndb.layer.v1.sqlite+gzip"
    /// The database file must fit in memory to be (de)compressed; well above today's size.
    static let maxSize = 2 << 30

    /// Pushes `file` to `reference` and returns the manifest digest.
    public static func push(file: String, to reference: ImageReference, client: RegistryClient) async throws -> Digest {
        let database = try await VulnDatabase.open(path: file)
        let info = try await database.info()
        await database.close()

        guard let data = FileManager.default.contents(atPath: file), data.count < maxSize else {
            throw VulnDBError("cannot read \(file) (or it is larger than \(maxSize) bytes)")
        }
        var buffer = ByteBuffer(data: data)
        let compressed = try buffer.compress(with: .gzip)
        let layerBytes = Array(compressed.readableBytesView)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let configBytes = Array(try encoder.encode(info))

        let repository = reference.repository
        let layer = try await client.uploadBlob(repository, bytes: layerBytes)
        let config = try await client.uploadBlob(repository, bytes: configBytes)
        let manifest = ImageManifest(
            artifactType: artifactType,
            config: Descriptor(mediaType: configMediaType, digest: config, size: Int64(configBytes.count)),
            layers: [Descriptor(mediaType: layerMediaType, digest: layer, size: Int64(layerBytes.count),
                                annotations: ["org.opencontainers.image.title": "vulndb.sqlite"])],
            annotations: ["org.opencontainers.image.created": ISO8601DateFormatter().string(from: info.builtAt)])
        return try await client.putManifest(repository, reference: reference.manifestReference,
                                            bytes: manifest.canonicalJSON(), mediaType: MediaType.ociManifest)
    }

    /// Pulls the database at `reference` into `path`, replacing the file there only once the new
    /// one is complete, verified and readable.
    public static func pull(from reference: ImageReference, to path: String, client: RegistryClient) async throws -> DatabaseInfo {
        let fetched = try await client.manifest(reference.repository, reference: reference.manifestReference)
        let manifest: ImageManifest
        do { manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(fetched.bytes)) } catch {
            throw VulnDBError("\(reference) is not an image manifest")
        }
        guard manifest.artifactType == artifactType || manifest.config.mediaType == configMediaType,
              let layer = manifest.layers.first(where: { $0.mediaType == layerMediaType }) else {
            throw VulnDBError("\(reference) is not a Drydock vulnerability database (artifactType \(manifest.artifactType ?? "none"))")
        }
        guard layer.size < Int64(maxSize) else { throw VulnDBError("the database layer is larger than \(maxSize) bytes") }
        let compressed = try await client.blob(reference.repository, digest: layer.digest, maxSize: maxSize)
        var buffer = ByteBuffer(bytes: compressed)
        let sqlite: ByteBuffer
        do { sqlite = try buffer.decompress(with: .gzip, maxSize: maxSize) } catch {
            throw VulnDBError("the database layer of \(reference) does not decompress: \(error)")
        }
        let temporary = path + ".download-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(sqlite.readableBytesView)) else {
            throw VulnDBError("cannot write \(temporary)")
        }
        do {
            let database = try await VulnDatabase.open(path: temporary)
            let info = try await database.info()
            await database.close()
            try VulnDatabaseWriter.sync(temporary)
            guard rename(temporary, path) == 0 else { throw VulnDBError("cannot move the database to \(path)") }
            return info
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
