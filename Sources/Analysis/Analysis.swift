/// Analysis: turning a container image into a package inventory.
///
/// It reads layers as streams (gzip, zstd or plain tar), applies OCI whiteouts across layers,
/// identifies the OS, runs one analyzer per package format over the files each wants, caches
/// each layer's findings by digest, and assembles the image inventory with the layer that
/// introduced every package. It deliberately knows nothing about vulnerabilities: matching an
/// inventory against advisories is the Matching module's job.
public enum Analysis {}
