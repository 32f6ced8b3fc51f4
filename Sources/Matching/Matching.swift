/// Matching: an image inventory × the vulnerability database → findings, each with the exact
/// action that removes it.
///
/// It decides which advisories apply to which package (the distribution's own advisory for what
/// the distribution installed, the ecosystem's for everything else), with each ecosystem's version
/// rules, and records how every match was made. It deliberately reads no image and no registry:
/// inventories come from Analysis (or from storage, for a re-match after a database update), and
/// rendering is the Reports module's job.
public enum Matching {}
