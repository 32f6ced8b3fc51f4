@testable import Analysis
import Testing

/// OS identification from the release files distributions ship (contents as the distributions'
/// base images carry them).
@Suite struct OSDetectorTests {
    func detect(_ files: [String: String], links: [String: String] = [:]) -> OSRelease? {
        var all = files.mapValues { OSFile.content($0) }
        for (path, target) in links { all[path] = .symlink(target) }
        return OSDetector.detect(all)
    }

    @Test func debianPointReleaseThroughTheUsualSymlink() {
        let release = detect([
            "/usr/lib/os-release": """
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            NAME="Debian GNU/Linux"
            VERSION_ID="12"
            VERSION="12 (bookworm)"
            VERSION_CODENAME=bookworm
            ID=debian
            """,
            "/etc/debian_version": "12.7\n",
        ], links: ["/etc/os-release": "/usr/lib/os-release"])
        #expect(release == OSRelease(family: "debian", version: "12.7", codename: "bookworm",
                                     prettyName: "Debian GNU/Linux 12 (bookworm)"))
        #expect(release?.releaseKey == "12")
        #expect(release?.purlDistro == "debian-12.7")
    }

    @Test func distrolessAndTesting() {
        let distroless = detect(["/etc/os-release": "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\n"])
        #expect(distroless?.family == "debian")
        #expect(distroless?.isDistroless == true)
        let sid = detect(["/etc/os-release": "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\nVERSION_CODENAME=trixie\n",
                          "/etc/debian_version": "trixie/sid\n"])
        #expect(sid?.version == "trixie")
    }

    @Test func otherDistributions() {
        #expect(detect(["/etc/os-release": "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n"])?.releaseKey == "3.18")
        #expect(detect(["/etc/alpine-release": "3.11.13\n"]) == OSRelease(family: "alpine", version: "3.11.13"))
        #expect(detect(["/etc/os-release": "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nVERSION_CODENAME=jammy\n"])?.releaseKey == "22.04")
        #expect(detect(["/etc/os-release": "NAME=\"Rocky Linux\"\nVERSION=\"8.8 (Green Obsidian)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.8\"\n"])?.releaseKey == "8")
        #expect(detect(["/etc/os-release": "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nVERSION_ID=\"2023\"\n"])?.family == "amazon")
        #expect(detect(["/etc/os-release": "NAME=\"Oracle Linux Server\"\nID=\"ol\"\nVERSION_ID=\"9.2\"\n"])?.family == "oracle")
        #expect(detect(["/etc/os-release": "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n"])?.family == "wolfi")
        #expect(detect(["/etc/centos-release": "CentOS Linux release 7.9.2009 (Core)\n"]) ==
                OSRelease(family: "centos", version: "7.9.2009", prettyName: "CentOS Linux release 7.9.2009 (Core)"))
        #expect(detect(["/etc/system-release": "Amazon Linux release 2 (Karoo)\n"])?.family == "amazon")
        // The remaining families of the issue, from their real os-release / release files.
        #expect(detect(["/etc/os-release": "NAME=\"AlmaLinux\"\nVERSION=\"9.3 (Shamrock Pampas Cat)\"\nID=\"almalinux\"\nVERSION_ID=\"9.3\"\n"])
                == OSRelease(family: "almalinux", version: "9.3"))
        #expect(detect(["/etc/os-release": "NAME=\"Fedora Linux\"\nVERSION=\"39 (Container Image)\"\nID=fedora\nVERSION_ID=39\n"])
                == OSRelease(family: "fedora", version: "39"))
        #expect(detect(["/etc/os-release": "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\n"])
                == OSRelease(family: "opensuse-leap", version: "15.5"))
        #expect(detect(["/etc/os-release": "NAME=\"SLES\"\nVERSION=\"15-SP5\"\nVERSION_ID=\"15.5\"\nID=\"sles\"\n"])
                == OSRelease(family: "sles", version: "15.5"))
        #expect(detect(["/etc/os-release": "NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\n"])
                == OSRelease(family: "photon", version: "5.0"))
        #expect(detect(["/etc/photon-release": "VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=1526e30ba\n"])?.family == "photon")
        #expect(detect(["/etc/photon-release": "VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=1526e30ba\n"])?.version == "4.0")
    }

    @Test func nothingOrLoopsIsUnknown() {
        #expect(detect([:]) == nil)
        #expect(detect([:], links: ["/etc/os-release": "/etc/os-release"]) == nil)
        #expect(detect(["/etc/os-release": "garbage without keys"]) == nil)
    }
}
