#!/usr/bin/env bash
# Regenerates the machine-made comparison tables from the ecosystems' own tools:
#   dpkg.tsv    <- dpkg --compare-versions
#   rpm.tsv     <- rpm.labelCompare (Debian's python3-rpm, system python)
#   pep440.tsv, pep440_parse.tsv <- Python packaging.version
#   rubygems*.tsv <- ruby's Gem::Version / Gem::Requirement
#   npm*.tsv    <- Debian's node-semver (compare, satisfies)
#   composer*.tsv <- php-composer-semver (VersionParser, Semver::satisfies)
#   maven.tsv, maven_ranges.tsv <- maven-artifact's ComparableVersion / VersionRange
#   go.tsv, go_pseudo.tsv <- golang.org/x/mod (semver.Compare, module.IsPseudoVersion)
#   cargo.tsv, cargo_ranges.tsv <- the semver crate (Debian librust-semver-dev, built offline)
# apk, go_hand, cargo_hand, cargo_ranges_hand, nuget, nuget_ranges, semver and operator_ranges are hand-checked and not touched here.
# Run as root on Debian (it installs what it needs). Pairs are drawn with fixed seeds, so output is
# stable for given tool versions; dpkg.tsv also samples /var/lib/dpkg/status, so it follows the
# machine's installed packages. Reads /work/shared/vulndata (or $VULNDATA) for real version strings.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

need=()
command -v dpkg >/dev/null || need+=(dpkg)
command -v rpm >/dev/null || need+=(rpm)
/usr/bin/python3 -c 'import rpm' 2>/dev/null || need+=(python3-rpm)
command -v ruby >/dev/null || need+=(ruby)
[ -f /usr/share/nodejs/semver/package.json ] || need+=(node-semver)
command -v php >/dev/null || need+=(php-cli)
[ -f /usr/share/php/Composer/Semver/autoload.php ] || need+=(php-composer-semver)
ls /usr/share/maven-repo/org/apache/maven/maven-artifact/3.*/maven-artifact-*.jar >/dev/null 2>&1 || need+=(libmaven3-core-java)
[ -f /usr/share/java/commons-lang3.jar ] || need+=(libcommons-lang3-java)
command -v javac >/dev/null || need+=(default-jdk-headless)
command -v go >/dev/null || need+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/semver ] || need+=(golang-golang-x-mod-dev)
ls -d /usr/share/cargo/registry/semver-1.0.14 >/dev/null 2>&1 || need+=(librust-semver-dev)
command -v cargo >/dev/null || need+=(cargo)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import packaging.version' 2>/dev/null; then
    "$PY" -m pip install -q packaging || "$PY" -m pip install -q --break-system-packages packaging
fi

VULNDATA="${VULNDATA:-$here/../../../../shared/vulndata}"
[ -d "$VULNDATA" ] || VULNDATA=/work/shared/vulndata
export VULNDATA

/usr/bin/python3 gen_dpkg.py > dpkg.tsv
/usr/bin/python3 gen_rpm.py > rpm.tsv
"$PY" gen_pep440.py pairs > pep440.tsv
"$PY" gen_pep440.py parse > pep440_parse.tsv
"$PY" gen_tools.py rubygems npm composer maven maven_ranges go cargo
wc -l dpkg.tsv rpm.tsv pep440.tsv pep440_parse.tsv rubygems.tsv rubygems_ranges.tsv npm.tsv npm_ranges.tsv composer.tsv composer_ranges.tsv maven.tsv maven_ranges.tsv go.tsv go_pseudo.tsv cargo.tsv cargo_ranges.tsv
