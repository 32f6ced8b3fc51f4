import Foundation
import OCI
import RegistryClient

/// Listing enrolled registries: their catalog, every repository's tags and what each tag points
/// at. It is how the defender learns of pushes to a registry that sends no notifications, and
/// how it catches up with one that does (a notification lost while Drydock was down, an image
/// deleted). Untagged manifests are not listed by registries, so polling cannot find them.
extension Defender {
    /// What one listing found.
    public struct PollResult: Sendable, Encodable {
        public var registry: String
        public var repositories: Int
        public var tags: Int
        public var images: Int
        /// Images the registry no longer holds (now deleted from the defender's views).
        public var removed: Int
    }

    func pollLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            guard let due = try? await dueRegistries(), !due.isEmpty else { continue }
            // Each due registry on its own task: a slow one does not hold the others' listing.
            await withTaskGroup(of: Void.self) { group in
                for name in due {
                    group.addTask {
                        do { _ = try await self.poll(registry: name) } catch {
                            self.logger.notice("listing an enrolled registry failed", metadata: ["registry": "\(name)", "error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    /// Enrolled registries whose interval has passed (a failed listing is tried again within a
    /// minute, whatever the interval).
    func dueRegistries() async throws -> [String] {
        let now = self.now
        return try await store.registries().filter { settings in
            guard !settings.isLocal else { return false }
            guard let last = settings.lastPollAt else { return true }
            let interval = pollInterval(of: settings)
            return now >= last + (settings.lastError == nil ? interval : min(interval, 60))
        }.map(\.name)
    }

    func pollInterval(of settings: DefenderStore.RegistrySettings) -> Double {
        settings.pollInterval ?? (settings.events == "notifications" ? configuration.notifiedPollInterval : configuration.defaultPollInterval)
    }

    /// Lists one enrolled registry now and brings the defender's record of it up to date:
    /// new digests are queued, moved tags followed, images gone from it removed from the views.
    @discardableResult
    public func poll(registry name: String) async throws -> PollResult {
        guard let settings = try await store.registry(named: name), !settings.isLocal else {
            throw DefenderError(.notFound, "no enrolled registry '\(name.prefix(100))' (the local registry is not polled)")
        }
        let started = now
        let client: RegistryClient
        do { client = try self.client(for: settings) } catch {
            try? await store.recordContact(registry: name, .error("\(error)"), now: now)
            throw error
        }
        do {
            let events = try await listing(settings, client: client, time: started)
            await client.shutdown()
            var present = Set<String>()
            var tags: [(repository: String, tag: String, digest: String)] = []
            for event in events {
                present.insert("\(event.repository)@\(event.digest)")
                if let tag = event.tag { tags.append((event.repository, tag, event.digest)) }
                try await handle(event)
            }
            let listed = present
            // A listing shows tagged manifests only: the platforms of a listed index, and images
            // known without a tag (pushed by digest, heard of by a notification), are not judged
            // gone by their absence from it.
            let tagged = try await store.tagsByImage()
            for image in try await store.listedImages() where image.registry == name {
                let key = "\(image.repository)@\(image.digest)"
                if listed.contains(key) {
                    for child in image.children { present.insert("\(image.repository)@\(child)") }
                } else if tagged["\(name)/\(key)"] == nil {
                    present.insert(key)
                }
            }
            let removed = try await store.markMissing(registry: name, present: present, before: started, now: now)
            try await store.syncTags(registry: name, present: tags, before: started, now: now)
            try await store.recordContact(registry: name, .polled, now: now)
            return PollResult(registry: name, repositories: Set(events.map(\.repository)).count, tags: tags.count,
                              images: listed.count, removed: removed.count)
        } catch {
            await client.shutdown()
            try? await store.recordContact(registry: name, .error(Self.contactError(error)), now: now)
            throw error
        }
    }

    /// Every tag of every repository the registry's patterns cover, as the events that would
    /// have announced it (indexes after their platforms, so the index claims them).
    private func listing(_ settings: DefenderStore.RegistrySettings, client: RegistryClient, time: Double) async throws -> [ImageEvent] {
        var events: [ImageEvent] = []
        let known = Set(try await store.listedImages().filter { $0.registry == settings.name }.map { "\($0.repository)@\($0.digest)" })
        for repository in try await client.catalog() where Self.isIncluded(repository, registry: settings.name, settings: [settings]) {
            guard let name = try? RepositoryName(repository) else { continue }
            let repositoryTags: [String]
            do { repositoryTags = try await client.tags(name) } catch let error as RegistryClientError where error.isNotFound {
                // Distribution answers 404 for a repository that holds only untagged manifests.
                continue
            }
            for tag in repositoryTags {
                guard let reference = try? ManifestReference(tag),
                      let descriptor = try await client.manifestDescriptor(name, reference: reference) else { continue }
                let mediaType = MediaType.essence(descriptor.mediaType)
                var children: [String] = []
                // An index's platforms are read once, when the index is new to the defender.
                if MediaType.indexes.contains(mediaType) && !known.contains("\(repository)@\(descriptor.digest)") {
                    let manifest = try await client.manifest(name, reference: .digest(descriptor.digest))
                    children = (try? ParsedManifest.parse(manifest.bytes, contentType: manifest.mediaType))?.manifests.map(\.digest.description) ?? []
                }
                events.append(ImageEvent(kind: .reconcile, registry: settings.name, repository: repository, digest: descriptor.digest.description,
                                         tag: tag, mediaType: mediaType, children: children, time: time))
            }
        }
        return events.sorted { $0.children.isEmpty && !$1.children.isEmpty }
    }

    /// The registry's answer as `status` shows it (`HTTP 401 UNAUTHORIZED: …`).
    static func contactError(_ error: any Error) -> String {
        if let client = error as? RegistryClientError {
            if let status = client.status { return "HTTP \(status)" + (client.code.map { " \($0)" } ?? "") + ": \(client.message)" }
            return client.description
        }
        return "\(error)"
    }
}
