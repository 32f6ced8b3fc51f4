import Access
import HTTPTypes
import OCI

/// What a distribution-API request needs from its caller: any of `actions` on `repository`
/// (nil: just being allowed in, for `/v2/` and the catalog).
struct AccessRequirement: Equatable {
    var repository: String?
    var actions: [RepositoryAction]

    /// The `scope` of the challenge a client answers by fetching a token.
    var challengeScope: String? {
        guard let repository else { return nil }
        let words: String
        switch actions.first {
        case .push: words = "pull,push"
        case .delete: words = "delete"
        default: words = "pull"
        }
        return "repository:\(repository):\(words)"
    }

    static func of(_ route: RegistryRoute, method: HTTPRequest.Method) -> AccessRequirement {
        switch route {
        case .base, .catalog:
            return AccessRequirement(repository: nil, actions: [])
        case .tags(let name), .referrers(let name, _):
            return AccessRequirement(repository: name.value, actions: [.pull, .metadataRead])
        case .manifest(let name, _):
            switch method {
            case .get: return AccessRequirement(repository: name.value, actions: [.pull])
            case .head: return AccessRequirement(repository: name.value, actions: [.pull, .metadataRead])
            case .delete: return AccessRequirement(repository: name.value, actions: [.delete])
            default: return AccessRequirement(repository: name.value, actions: [.push])
            }
        case .blob(let name, _):
            switch method {
            case .get, .head: return AccessRequirement(repository: name.value, actions: [.pull])
            case .delete: return AccessRequirement(repository: name.value, actions: [.delete])
            default: return AccessRequirement(repository: name.value, actions: [.push])
            }
        case .uploads(let name), .upload(let name, _):
            return AccessRequirement(repository: name.value, actions: [.push])
        }
    }
}
