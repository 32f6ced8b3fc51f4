import Analysis
@testable import Matching
@testable import Reports
import Testing

/// A package installed in several environments gets one action per environment, naming the pip
/// of that environment (the virtualenv's own, the system's, the user site's).
@Suite struct RemediationPlaceTests {
    @Test(arguments: [
        ("/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA", "/opt/venv/bin/pip install 'Jinja2>=3.1.6'"),
        ("/usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA", "pip install 'Jinja2>=3.1.6'"),
        ("/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA", "python3 -m pip install --break-system-packages 'Jinja2>=3.1.6'"),
        ("/root/.local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA", "pip install --user 'Jinja2>=3.1.6'"),
        ("/app/requirements.txt", "pip install 'Jinja2>=3.1.6'"),
    ])
    func pipOfTheEnvironment(location: String, expected: String) {
        let package = Package(type: .pypi, name: "Jinja2", version: "2.10", location: location)
        #expect(RemediationCommand.command(for: FindingPackage(package, layers: []), target: "3.1.6") == expected)
    }

    @Test func theTableSaysWhichPlaceEachLineIsAbout() throws {
        func finding(_ location: String) -> Finding {
            let package = FindingPackage(Package(type: .pypi, name: "Jinja2", version: "2.10", location: location), layers: [])
            return Finding(vulnerabilityID: "CVE-2024-22195", aliases: [], package: package, status: .fixed, fixedVersion: "3.1.6",
                           severity: "MEDIUM", severitySource: nil, cvssScore: nil, cvssVector: nil, title: nil, references: [],
                           knownExploited: false, match: MatchDetails(namespace: "pypi", key: "jinja2", version: "2.10", matched: "<3.1.3", kind: "ecosystem"),
                           remediation: "")
        }
        let planned = RemediationPlanner.plan([finding("/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA"),
                                               finding("/usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA")], layers: [])
        let actions = Set(planned.remediations.map(\.action))
        #expect(actions == ["/opt/venv/bin/pip install 'Jinja2>=3.1.6'", "pip install 'Jinja2>=3.1.6'"])
        #expect(FindingsTable.environment(of: "/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA")
                == "/opt/venv/lib/python3.11/site-packages")
    }
}
