/// Which declared license strings are SPDX license identifiers, so documents only put real
/// identifiers where the formats demand them and keep free text elsewhere.
enum SPDXLicense {
    /// The identifiers that real images declare most; anything else is treated as free text.
    static let common: Set<String> = [
        "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "GPL-2.0-only", "GPL-2.0-or-later",
        "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only",
        "LGPL-3.0-or-later", "MPL-2.0", "Zlib", "PSF-2.0", "Python-2.0", "Unlicense", "0BSD", "CC0-1.0",
        "Artistic-2.0", "EPL-1.0", "EPL-2.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Ruby", "BSL-1.0",
        "OpenSSL", "curl", "X11", "WTFPL", "BlueOak-1.0.0", "CDDL-1.0", "CDDL-1.1", "MIT-0",
        "GPL-2.0", "GPL-3.0", "LGPL-2.1", "LGPL-3.0", "GPL-2.0+", "LGPL-2.0-or-later",
    ]

    static func isIdentifier(_ license: String) -> Bool { common.contains(license) }
}
