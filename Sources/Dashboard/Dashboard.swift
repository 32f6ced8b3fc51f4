import Access
import Defender
import Foundation
import Logging
import Mustache
import RegistryServer

/// Dashboard: the registry's security posture in a browser, at `/ui/` on the registry's own
/// listeners. Pages are rendered on the server from Mustache templates over the same data the
/// admin API answers with; users sign in with the identities of access control (a user or a
/// token and its password) and see only the repositories their scopes let them pull. Admins
/// also get the settings page.
///
/// The server hands every `/ui` request here once the network rules admit the caller
/// (`RegistryServer.Configuration.web`); the dashboard authenticates the session itself.
public final class Dashboard: Sendable {
    let defender: Defender
    let access: AccessController
    let data: DefenderData
    let sessions = SessionStore()
    let templates: MustacheLibrary
    let logger: Logger
    /// Called after a settings change to the network rules (blocked scans retry at once).
    let networkRulesChanged: @Sendable () async -> Void

    public init(defender: Defender, access: AccessController, logger: Logger = Logger(label: "drydock.dashboard"),
                networkRulesChanged: @escaping @Sendable () async -> Void) throws {
        self.defender = defender
        self.access = access
        self.data = DefenderData(api: DefenderAPI(defender: defender), views: FindingsViews(defender: defender))
        self.logger = logger
        self.networkRulesChanged = networkRulesChanged
        var library = MustacheLibrary()
        let named: [(String, String)] = [
            ("header", LayoutTemplates.header), ("footer", LayoutTemplates.footer), ("pager", ImagesTemplates.pager),
            ("login", LayoutTemplates.login), ("error", LayoutTemplates.error), ("overview", OverviewTemplate.text),
            ("repositories", ImagesTemplates.repositories), ("images", ImagesTemplates.images), ("image", ImageTemplate.text),
            ("vulnerability", VulnerabilityTemplate.text), ("logs", LogsTemplate.text), ("settings", SettingsTemplate.text),
        ]
        for (name, text) in named { try library.register(text, named: name) }
        templates = library
    }

    /// Adds the dashboard to a server configuration (`/ui/` on every listener).
    public func attach(to configuration: inout RegistryServer.Configuration) {
        configuration.web = { [self] call in await handle(call) }
    }

    // MARK: Requests

    /// Who is asking, with their session.
    struct Viewer {
        var identity: Identity
        var session: SessionStore.Session
        var isAdmin: Bool { identity.isAdmin }
        /// Scopes name repositories of the local registry: images of enrolled registries are for admins.
        func canSee(_ repository: String, registry: String = DefenderConfiguration.localRegistry) -> Bool {
            isAdmin || (registry == DefenderConfiguration.localRegistry && identity.scopes.allows(.pull, on: repository))
        }
    }

    public func handle(_ call: WebCall) async -> WebReply {
        let path = call.path.isEmpty ? "/" : call.path
        switch (call.method, path) {
        case ("GET", "/static/app.css"):
            return WebReply(headers: [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "max-age=3600")], body: Data(Assets.css.utf8))
        case ("GET", "/static/app.js"):
            return WebReply(headers: [("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "max-age=3600")],
                            body: Data(Assets.javascript.utf8))
        case ("GET", "/login"):
            return render("login", LoginPage(next: Self.safeNext(call.query["next"]), error: nil))
        case ("POST", "/login"):
            return await signIn(call)
        default:
            break
        }
        guard let viewer = viewer(for: call) else {
            if call.method == "GET" {
                let target = "/ui" + path + Web.query(call.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                return Web.redirect("/ui/login" + Web.query([("next", target)]))
            }
            return Web.html("<p>Sign in first.</p>", status: 401)
        }
        if call.method == "POST" {
            // Every form carries the session's CSRF token and comes from the dashboard's own origin.
            let form = Web.form((try? await call.body(64 * 1024)) ?? Data())
            guard Web.isSameOrigin(call), let token = form["csrf"], SessionStore.equalInConstantTime(token, viewer.session.csrf) else {
                logger.warning("dashboard form refused: cross-site or without its token",
                               metadata: ["identity": "\(viewer.identity.name)", "path": "\(path)", "origin": "\(call.headers["origin"] ?? "-")"])
                return errorPage(viewer, status: 403, heading: "Refused", message: "This form did not come from this dashboard (cross-site request or missing token).")
            }
            if path == "/logout" {
                sessions.remove(id: viewer.session.id)
                return Web.redirect("/ui/login", headers: [Web.sessionCookie("", secure: call.secure, maxAge: 0)])
            }
            guard viewer.isAdmin else { return errorPage(viewer, status: 403, heading: "Refused", message: "Only the admin changes settings.") }
            return await SettingsPage(dashboard: self, viewer: viewer).change(path: path, form: form)
        }
        guard call.method == "GET" else { return Web.html("", status: 405) }
        do {
            switch path {
            case "/": return render("overview", try await OverviewPage(dashboard: self, viewer: viewer).build())
            case "/repositories": return render("repositories", try await ImagesPage(dashboard: self, viewer: viewer).repositories(query: call.query))
            case "/images": return render("images", try await ImagesPage(dashboard: self, viewer: viewer).images(query: call.query))
            case "/image": return render("image", try await ImagePage(dashboard: self, viewer: viewer).build(query: call.query))
            case "/vulnerability":
                return render("vulnerability", try await VulnerabilityPage(dashboard: self, viewer: viewer).build(query: call.query))
            case "/logs": return render("logs", try await LogsPage(dashboard: self, viewer: viewer).build(query: call.query))
            case "/settings":
                guard viewer.isAdmin else { return errorPage(viewer, status: 403, heading: "Refused", message: "Only the admin sees the settings.") }
                return render("settings", try await SettingsPage(dashboard: self, viewer: viewer).build(query: call.query))
            default:
                return errorPage(viewer, status: 404, heading: "Not found", message: "There is no page \(path.prefix(100)).")
            }
        } catch let error as DefenderData.APIError {
            return errorPage(viewer, status: error.status, heading: error.status == 404 ? "Not found" : "Cannot show this", message: error.description)
        } catch let error as PageError {
            return errorPage(viewer, status: error.status, heading: error.status == 404 ? "Not found" : "Cannot show this", message: error.message)
        } catch {
            logger.error("dashboard page failed", metadata: ["path": "\(path)", "error": "\(error)"])
            return errorPage(viewer, status: 500, heading: "Something went wrong", message: "The page could not be built; the server log says why.")
        }
    }

    /// The signed-in viewer, from the session cookie; the identity is read afresh, so a disabled
    /// or deleted identity is signed out at once.
    func viewer(for call: WebCall) -> Viewer? {
        guard let id = Web.cookie(SessionStore.cookieName, in: call.headers["cookie"]),
              let session = sessions.session(id: id, now: Date().timeIntervalSince1970) else { return nil }
        guard let stored = access.identities().first(where: { $0.name == session.identity }), stored.enabled, !stored.isExpired() else {
            sessions.remove(id: id)
            return nil
        }
        return Viewer(identity: stored.identity, session: session)
    }

    private func signIn(_ call: WebCall) async -> WebReply {
        let form = Web.form((try? await call.body(16 * 1024)) ?? Data())
        let next = Self.safeNext(form["next"])
        guard Web.isSameOrigin(call) else { return render("login", LoginPage(next: next, error: "Sign-in refused: the form came from another site."), status: 403) }
        let name = form["username"] ?? "", password = form["password"] ?? ""
        let header = "Basic " + Data("\(name):\(password)".utf8).base64EncodedString()
        let result = name.isEmpty || password.isEmpty ? .failed(name: name, reason: "empty name or password") : await access.authenticate(authorization: header)
        let record = { (identity: String, type: String, success: Bool, description: String) in
            self.access.record(.loginEvents, ResourceLogEvent(
                identity: identity, identityType: type, callerIP: call.callerIP, userAgent: call.headers["user-agent"] ?? "",
                operation: "Login", result: success ? "Success" : "Failure", resultDescription: description,
                correlationID: UUID().uuidString.lowercased(), loginServer: call.headers["host"]))
        }
        guard case .authenticated(let identity, _) = result, identity.kind != .service, identity.kind != .anonymous else {
            var reason = "invalid name or password"
            if case .failed(_, let why) = result { reason = why }
            record(name, "unknown", false, "dashboard: \(reason)")
            return render("login", LoginPage(next: next, error: "The name or password is not right."), status: 401)
        }
        record(identity.name, identity.kind.rawValue, true, "dashboard")
        let session = sessions.create(identity: identity.name, now: Date().timeIntervalSince1970)
        return Web.redirect(next, headers: [Web.sessionCookie(session.id, secure: call.secure, maxAge: Int(SessionStore.absoluteLifetime))])
    }

    /// Only a path of this dashboard: never an open redirect to another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui/") || next == "/ui", !next.hasPrefix("//"), !next.contains("\\"),
              !next.contains("\r"), !next.contains("\n") else { return "/ui/" }
        return next
    }

    // MARK: Rendering

    struct LoginPage {
        var next: String
        var error: String?
    }

    struct ErrorPage {
        var page: PageFrame
        var heading: String
        var message: String
    }

    func render(_ template: String, _ model: Any, status: Int = 200) -> WebReply {
        Web.html(templates.render(Reflected.wrap(model), withTemplate: template) ?? "", status: status)
    }

    func errorPage(_ viewer: Viewer, status: Int, heading: String, message: String) -> WebReply {
        render("error", ErrorPage(page: frame(viewer, title: heading, section: ""), heading: heading, message: message), status: status)
    }

    func frame(_ viewer: Viewer, title: String, section: String, notice: String? = nil, error: String? = nil) -> PageFrame {
        var items: [(String, String, String)] = [("/ui/", "Overview", "overview"), ("/ui/repositories", "Repositories", "repositories"),
                                                 ("/ui/images", "Images", "images"), ("/ui/vulnerability", "Vulnerabilities", "vulnerability"),
                                                 ("/ui/logs", "Logs", "logs")]
        if viewer.isAdmin { items.append(("/ui/settings", "Settings", "settings")) }
        return PageFrame(title: title, user: viewer.identity.name, isAdmin: viewer.isAdmin, csrf: viewer.session.csrf,
                         nav: items.map { NavItem(href: $0.0, label: $0.1, current: $0.2 == section) }, notice: notice, error: error)
    }
}

/// What every page's header shows.
struct PageFrame {
    var title: String
    var user: String
    var isAdmin: Bool
    var csrf: String
    var nav: [NavItem]
    var notice: String?
    var error: String?
}

struct NavItem {
    var href: String
    var label: String
    var current: Bool
}

/// A page that cannot be shown, with the status to answer and a line for the user.
struct PageError: Error {
    var status: Int
    var message: String
}

/// One `<option>` of a filter.
struct Option {
    var value: String
    var label: String
    var selected: Bool

    static func list(_ choices: [(String, String)], selected: String?) -> [Option] {
        choices.map { Option(value: $0.0, label: $0.1, selected: $0.0 == (selected ?? "")) }
    }
}

/// Page numbers and the links to the neighbouring pages.
struct PageInfo {
    var number: Int
    var pages: Int
    var previous: String?
    var next: String?

    /// The slice of `count` items on page `requested` (1-based) of `size`, with links made by `link`.
    static func make(count: Int, size: Int, requested: String?, link: (Int) -> String) -> (PageInfo?, Range<Int>) {
        let pages = max(1, (count + size - 1) / size)
        let number = min(max(Int(requested ?? "1") ?? 1, 1), pages)
        let range = min((number - 1) * size, count)..<min(number * size, count)
        guard pages > 1 else { return (nil, range) }
        return (PageInfo(number: number, pages: pages, previous: number > 1 ? link(number - 1) : nil,
                         next: number < pages ? link(number + 1) : nil), range)
    }
}

enum Format {
    static func shortDigest(_ digest: String) -> String {
        guard let colon = digest.firstIndex(of: ":") else { return String(digest.prefix(12)) }
        return String(digest[digest.index(after: colon)...].prefix(12))
    }

    /// `2026-12-07T10:11:12.345Z` → `2026-12-07 10:11`.
    static func time(_ iso: String?) -> String {
        guard let iso else { return "" }
        return String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    static func age(seconds: Double) -> String {
        if seconds < 3600 { return "\(max(0, Int(seconds / 60))) minutes" }
        if seconds < 2 * 86400 { let hours = Int(seconds / 3600); return hours == 1 ? "1 hour" : "\(hours) hours" }
        return "\(Int(seconds / 86400)) days"
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary)
    }
}
