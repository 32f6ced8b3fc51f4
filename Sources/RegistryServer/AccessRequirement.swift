import Access
import HTTPTypes
import HummingbirdCore
import OCI

/// What a distribution-API request needs from its caller: any of `actions` on `repository`
/// (nil: just being allowed in, for `/v2/` and the catalog).
struct AccessRequirement: Equatable {
    var repository: String?
    var actions: [RepositoryAction]
    /// The `from` repository of a cross-repository mount (`POST …/uploads/?mount=D&from=R`): the
    /// challenge names `repository:R:pull` too, so a client can ask for both scopes at once.
    var mountSource: String?

    /// The `scope` of the challenge a client answers by fetching a token.
    var challengeScope: String? {
        guard let repository else { return nil }
        let words: String
        switch actions.first {
        case .push: words = "pull,push"
        case .delete: words = "delete"
        default: words = "pull"
        }
        let scope = "repository:\(repository):\(words)"
        guard let mountSource, mountSource != repository else { return scope }
        return scope + " repository:\(mountSource):pull"
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

    /// The requirement of a request, with the source of a cross-repository mount when it names a
    /// valid one (an invalid `from` is refused by the handler with NAME_INVALID).
    static func of(_ route: RegistryRoute, method: HTTPRequest.Method, query: FlatDictionary<Substring, Substring>) -> AccessRequirement {
        var requirement = of(route, method: method)
        if case .uploads = route, method == .post, query["mount"] != nil,
           let from = query["from"].flatMap({ try? RepositoryName(String($0)) }) {
            requirement.mountSource = from.value
        }
        return requirement
    }
}
