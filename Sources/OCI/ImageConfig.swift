/// The parts of an image configuration the registry, client and scanner look at.
public struct ImageConfig: Codable, Sendable {
    public struct RootFS: Codable, Sendable {
        public var type: String
        public var diffIDs: [Digest]
        enum CodingKeys: String, CodingKey { case type; case diffIDs = "diff_ids" }
        public init(diffIDs: [Digest]) { self.type = "layers"; self.diffIDs = diffIDs }
    }

    public struct History: Codable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }

    public var architecture: String
    public var os: String
    public var variant: String?
    public var created: String?
    public var rootfs: RootFS
    public var history: [History]?

    public init(os: String, architecture: String, variant: String? = nil, diffIDs: [Digest]) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.rootfs = RootFS(diffIDs: diffIDs)
    }
}
