import Foundation

/// The RFC 822-style header block of Python core metadata (`METADATA`, `PKG-INFO`), as described
/// in https://packaging.python.org/specifications/core-metadata/. Headers end at the first empty
/// line; a long description may follow and is ignored. Lines starting with white space continue
/// the previous header. Real files are not always strictly RFC 822, so a line that is neither a
/// header nor a continuation is skipped rather than failing the file (as pip and syft do).
struct PythonMetadata {
    /// Header names as written, in file order; repeated headers (`Classifier`) keep every value.
    private(set) var headers: [(name: String, value: String)] = []

    /// At most this many headers are kept (real files have well under a thousand).
    static let maxHeaders = 20_000

    init(text: String) {
        for line in ManifestInput.lines(text) {
            if line.isEmpty {
                if headers.isEmpty { continue }
                break
            }
            if let first = line.first, first == " " || first == "\t" {
                guard let last = headers.indices.last else { continue }
                headers[last].value += "\n" + ManifestInput.trimmed(line)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = ManifestInput.trimmed(line[..<colon])
            guard !name.isEmpty, !name.contains(" ") else { continue }
            let value = ManifestInput.trimmed(line[line.index(after: colon)...])
            headers.append((name, value))
            if headers.count >= Self.maxHeaders { break }
        }
    }

    /// The first value of a header; names compare case-insensitively, as in RFC 822.
    func first(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    func all(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The declared licences, most specific first:
    /// 1. `License-Expression` (PEP 639, an SPDX expression);
    /// 2. `License`, unless empty or distutils' placeholder `UNKNOWN`;
    /// 3. the last segment of each `License :: …` trove classifier
    ///    (`License :: OSI Approved :: MIT License` → `MIT License`), skipping the bare
    ///    `License :: OSI Approved` category.
    /// This is trivy's order; syft reports the same fields.
    var licenses: [String] {
        if let expression = first("License-Expression"), !expression.isEmpty { return [expression] }
        if let license = first("License"), !license.isEmpty, license != "UNKNOWN" { return [license] }
        var found: [String] = []
        for classifier in all("Classifier") {
            let parts = classifier.components(separatedBy: "::").map { ManifestInput.trimmed($0) }
            guard parts.count >= 2, parts[0] == "License", let last = parts.last, !last.isEmpty else { continue }
            if parts.count == 2 && last == "OSI Approved" { continue }
            if !found.contains(last) { found.append(last) }
        }
        return found
    }
}

