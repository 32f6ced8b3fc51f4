/// Reports: the shapes Drydock's results leave the program in — tables for people, and the
/// documented JSON, CycloneDX and SPDX documents for machines.
///
/// It renders what Analysis (and later Matching) produced; it never decides anything about the
/// packages or findings it prints.
public enum Reports {
    /// Reported as the tool version in generated documents.
    public static let toolVersion = "0.3.0"
}
