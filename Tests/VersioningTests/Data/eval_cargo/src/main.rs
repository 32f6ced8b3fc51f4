// Reads "cmp<TAB>a<TAB>b" or "req<TAB>requirement<TAB>version" lines; prints them with the semver
// crate's answer. Comparison is SemVer precedence: the crate's Ord also orders build metadata, so it
// is cleared first.
use semver::{BuildMetadata, Version, VersionReq};
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            continue;
        }
        match f[0] {
            "cmp" => {
                if let (Ok(mut a), Ok(mut b)) = (Version::parse(f[1]), Version::parse(f[2])) {
                    a.build = BuildMetadata::EMPTY;
                    b.build = BuildMetadata::EMPTY;
                    println!("{}\t{}\t{}", f[1], f[2], a.cmp(&b) as i32);
                }
            }
            _ => {
                if let (Ok(r), Ok(v)) = (VersionReq::parse(f[1]), Version::parse(f[2])) {
                    println!("{}\t{}\t{}", f[1], f[2], r.matches(&v) as i32);
                }
            }
        }
    }
}
