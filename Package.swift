// swift-tools-version:6.1
import PackageDescription

// Module map: see docs/architecture.md. Arrows only point "down": OCI is pure values, storage
// knows no HTTP, the server knows no scanning internals, the executable only wires things up.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "drydock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "drydock", targets: ["drydock"]),
        .executable(name: "vulndb-bench", targets: ["VulnDBBench"]),
        .executable(name: "match-bench", targets: ["MatchBench"]),
        .executable(name: "defender-bench", targets: ["DefenderBench"]),
        .executable(name: "dashboard-bench", targets: ["DashboardBench"]),
        // libFuzzer targets: built by scripts/fuzz.sh (-sanitize=fuzzer, -D FUZZING); stubs otherwise.
        .executable(name: "fuzz-versions", targets: ["FuzzVersions"]),
        .executable(name: "fuzz-manifest", targets: ["FuzzManifest"]),
        .executable(name: "fuzz-analyzers", targets: ["FuzzAnalyzers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "OCI",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // System libraries for layer decompression (Debian: libisal-dev for ISA-L's igzip, libzstd-dev).
        .systemLibrary(name: "CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Image → package inventory: layer streams, whiteouts, OS detection, one analyzer per format.
        .target(
            name: "Analysis",
            dependencies: [
                "OCI",
                "RegistryClient",
                "CIsal",
                "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Inventory × vulnerability database → findings with remediation.
        .target(
            name: "Matching",
            dependencies: ["Analysis", "VulnDB", "Versioning", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Rendering inventories and findings: table, JSON, SARIF, CycloneDX, SPDX.
        .target(name: "Reports", dependencies: ["Analysis", "Matching"], swiftSettings: swiftSettings),
        // Version ordering and ranges per ecosystem: no dependencies, used by the vulnerability database.
        .target(name: "Versioning", swiftSettings: swiftSettings),
        // The vulnerability database: importers for each advisory format, the SQLite file, and its
        // distribution (OCI artifact, online feeds).
        .target(
            name: "VulnDB",
            dependencies: [
                "Versioning",
                "OCI",
                "RegistryClient",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryStorage",
            dependencies: [
                "OCI",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Who may do what from where: identities, scoped tokens, network rules, resource logs.
        .target(
            name: "Access",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryServer",
            dependencies: [
                "OCI",
                "RegistryStorage",
                "RegistryClient",
                "Access",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryClient",
            dependencies: [
                "OCI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The continuous scanning service: subscriptions, the durable scan queue, inventories and
        // findings with their history. Reaches registries only through RegistryClient.
        .target(
            name: "Defender",
            dependencies: [
                "Analysis", "Matching", "Reports", "VulnDB", "RegistryClient", "OCI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Connects a running registry to its defender: registry events in, admin routes out.
        .target(
            name: "DefenderWiring",
            dependencies: [
                "Defender", "RegistryServer", "RegistryStorage", "Access", "OCI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The browser dashboard at /ui/: server-rendered pages over the defender's and access
        // control's data, its own sign-in sessions.
        .target(
            name: "Dashboard",
            dependencies: [
                "Defender", "Matching", "Access", "RegistryServer",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "drydock",
            dependencies: [
                "OCI",
                "RegistryStorage",
                "RegistryServer",
                "RegistryClient",
                "Access",
                "VulnDB",
                "Analysis",
                "Matching",
                "Reports",
                "Defender",
                "DefenderWiring",
                "Dashboard",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (run by benchmarks/*/run.sh, never by the test suite).
        .executableTarget(
            name: "VulnDBBench",
            dependencies: ["VulnDB"],
            path: "benchmarks/vulndb/Sources/VulnDBBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MatchBench",
            dependencies: ["Analysis", "Matching", "Reports", "VulnDB"],
            path: "benchmarks/scan/Sources/MatchBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DefenderBench",
            dependencies: ["Analysis", "Defender", "Matching", "Reports", .product(name: "Logging", package: "swift-log")],
            path: "benchmarks/defender/Sources/DefenderBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DashboardBench",
            dependencies: ["Access", "Analysis", "Dashboard", "Defender", "Matching", "RegistryServer", "RegistryStorage", "Reports",
                           .product(name: "Logging", package: "swift-log")],
            path: "benchmarks/dashboard/Sources/DashboardBench",
            swiftSettings: swiftSettings
        ),
        // Helpers for tests only: a real registry on an ephemeral port, running real programs.
        .target(
            name: "DrydockTestSupport",
            dependencies: [
                "RegistryServer", "RegistryStorage", "Access", "OCI",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzz targets (docs/fuzzing.md).
        .executableTarget(name: "FuzzVersions", dependencies: ["Versioning"], path: "Fuzz/Versions", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzManifest", dependencies: ["OCI"], path: "Fuzz/Manifest", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzAnalyzers", dependencies: ["Analysis"], path: "Fuzz/Analyzers", swiftSettings: swiftSettings),
        .testTarget(name: "OCITests", dependencies: ["OCI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DefenderTests",
            dependencies: [
                "Defender", "DefenderWiring", "Dashboard", "Access", "Analysis", "Matching", "VulnDB", "RegistryClient", "RegistryServer",
                "RegistryStorage", "OCI", "DrydockTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MatchingTests",
            dependencies: ["Matching", "Analysis", "Reports", "VulnDB", "Versioning", "DrydockTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Reports", "OCI", "DrydockTestSupport"],
            // Fixtures are read through #filePath.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VulnDBTests",
            dependencies: [
                "VulnDB", "Versioning", "OCI", "RegistryClient", "DrydockTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            // Fixtures are read through #filePath.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VersioningTests",
            dependencies: ["Versioning"],
            // Tables are read through #filePath; Data/ also holds the scripts that generated them.
            exclude: ["Data"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryStorageTests",
            dependencies: ["RegistryStorage", "OCI", "DrydockTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryServerTests",
            dependencies: [
                "RegistryServer", "RegistryStorage", "OCI", "RegistryClient", "DrydockTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryClientTests",
            dependencies: [
                "RegistryClient", "RegistryServer", "RegistryStorage", "OCI", "DrydockTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccessTests",
            dependencies: [
                "Access", "RegistryServer", "RegistryStorage", "RegistryClient", "OCI", "DrydockTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI validator script is run through #filePath.
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Access",
                "RegistryClient", "RegistryServer", "RegistryStorage", "OCI", "DrydockTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
    ]
)
