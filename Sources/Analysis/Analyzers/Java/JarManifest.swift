import Foundation

/// META-INF/MANIFEST.MF (JAR File Specification, "JAR Manifest"): `Name: value` headers in
/// sections separated by blank lines, the first being the main section; a line starting with one
/// space continues the previous value (manifests wrap at 72 bytes). Header names are
/// case-insensitive, so they are kept lowercased. Lines that are not headers are skipped, as is a
/// continuation with nothing to continue.
struct JarManifest: Equatable {
    var main: [String: String] = [:]
    /// The other sections, in order (per-entry attributes, sometimes versions).
    var sections: [[String: String]] = []

    init(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        var current: [String: String] = [:]
        var inMain = true
        var lastKey: String?
        func closeSection() {
            if inMain {
                main = current
                inMain = false
            } else if !current.isEmpty {
                sections.append(current)
            }
            current = [:]
            lastKey = nil
        }
        // Unicode scalars, not Characters: "\r\n" is one Character and would hide line breaks.
        var line = String.UnicodeScalarView()
        var lines: [String] = []
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(line))
                line = String.UnicodeScalarView()
            } else {
                line.append(scalar)
            }
        }
        if !line.isEmpty { lines.append(String(line)) }

        for line in lines {
            if line.isEmpty {
                // Blank lines end a section; several in a row end nothing more.
                if inMain || !current.isEmpty { closeSection() }
                continue
            }
            if line.unicodeScalars.first == " " {
                if let key = lastKey { current[key, default: ""] += String(line.unicodeScalars.dropFirst()) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                lastKey = nil
                continue
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            guard !key.isEmpty else { continue }
            current[key] = String(value)
            lastKey = key
        }
        if inMain || !current.isEmpty { closeSection() }
    }

    /// A main-section header.
    subscript(_ name: String) -> String? {
        main[name.lowercased()]
    }

    /// The header from the main section, else from the first other section that has it.
    func firstValue(_ name: String) -> String? {
        let key = name.lowercased()
        if let value = main[key], !value.isEmpty { return value }
        return sections.lazy.compactMap { $0[key] }.first { !$0.isEmpty }
    }
}
