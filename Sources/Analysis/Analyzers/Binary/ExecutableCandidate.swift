import Foundation

/// The cheap path test shared by the analyzers that read compiled executables (Go build info,
/// cargo-auditable data): executable regular files large enough to be a compiled program whose
/// names do not say they are scripts or data. It only saves work: every wanted file is still
/// checked for the ELF magic before anything else is read.
enum ExecutableCandidate {
    /// Smaller than this cannot be a Go or Rust program (their runtimes alone are hundreds of KiB).
    static let minimumSize: Int64 = 8 * 1024

    /// Suffixes of interpreted scripts and data files that often carry the executable bit.
    static let skippedSuffixes: [String] = [
        ".sh", ".bash", ".zsh", ".csh", ".ksh", ".fish", ".py", ".pyc", ".pl", ".pm", ".rb", ".js", ".mjs",
        ".cjs", ".php", ".lua", ".tcl", ".awk", ".sed", ".txt", ".md", ".json", ".xml", ".yml", ".yaml",
        ".html", ".htm", ".css", ".conf", ".cfg", ".ini", ".h", ".c", ".jar", ".war", ".zip", ".gz", ".xz",
        ".bz2", ".tar", ".png", ".jpg", ".svg", ".pem", ".crt",
    ]

    static func wants(_ file: FileHeader) -> Bool {
        guard file.isExecutable, file.size >= minimumSize else { return false }
        let name = file.fileName.lowercased()
        return !skippedSuffixes.contains { name.hasSuffix($0) }
    }
}
