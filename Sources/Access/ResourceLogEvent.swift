import Foundation

/// The two resource-log tables, named as cloud registries name them.
public enum ResourceLogTable: String, Codable, Sendable, CaseIterable {
    case loginEvents = "RegistryLoginEvents"
    case repositoryEvents = "RegistryRepositoryEvents"

    var sqlTable: String { self == .loginEvents ? "registry_login_events" : "registry_repository_events" }
}

/// One row of either table (login rows leave the repository columns empty). JSON keys are the
/// column names users know from cloud registries' log tables.
public struct ResourceLogEvent: Codable, Sendable, Equatable {
    public var id: Int64?
    public var time: Double
    public var identity: String
    public var identityType: String
    public var callerIP: String
    public var userAgent: String
    public var operation: String
    public var repository: String?
    public var tag: String?
    public var digest: String?
    public var size: Int64?
    /// `Success` or `Failure`, as the cloud tables say; the HTTP status is in `resultDescription`.
    public var result: String
    public var resultDescription: String
    public var correlationID: String
    public var loginServer: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id", time = "TimeGenerated", identity = "Identity", identityType = "IdentityType"
        case callerIP = "CallerIpAddress", userAgent = "UserAgent", operation = "OperationName"
        case repository = "Repository", tag = "Tag", digest = "Digest", size = "Size"
        case result = "ResultType", resultDescription = "ResultDescription", correlationID = "CorrelationId"
        case loginServer = "LoginServer"
    }

    public init(time: Double = Date().timeIntervalSince1970, identity: String, identityType: String, callerIP: String,
                userAgent: String, operation: String, repository: String? = nil, tag: String? = nil,
                digest: String? = nil, size: Int64? = nil, result: String, resultDescription: String,
                correlationID: String, loginServer: String? = nil) {
        self.time = time; self.identity = identity; self.identityType = identityType; self.callerIP = callerIP
        self.userAgent = userAgent; self.operation = operation; self.repository = repository; self.tag = tag
        self.digest = digest; self.size = size; self.result = result; self.resultDescription = resultDescription
        self.correlationID = correlationID; self.loginServer = loginServer
    }
}

/// A query over one table; every filter is optional.
public struct ResourceLogQuery: Sendable {
    public var table: ResourceLogTable
    public var since: Double?
    public var until: Double?
    public var identity: String?
    public var repository: String?
    public var operation: String?
    public var result: String?
    public var afterID: Int64?
    public var limit: Int = 1000
    /// The newest rows first (the dashboard); by default oldest first, for paging with `afterID`.
    public var newestFirst = false

    public init(table: ResourceLogTable) { self.table = table }
}

/// Whether resource logs are collected and how long rows are kept.
public struct ResourceLogSettings: Codable, Sendable, Equatable {
    public var enabled: Bool = true
    public var retentionDays: Int = 30
    public init() {}
}
