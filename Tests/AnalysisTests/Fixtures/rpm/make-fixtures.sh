#!/usr/bin/env bash
# Regenerates the rpm fixtures in this folder from specs/ with the real rpm tools.
# Needs: rpm + rpmbuild (Debian's rpm 4.18), db5.3-util, python3, and for the ndb database an rpm
# built with --enable-ndb (Debian's is not): RPM_NDB_TREE=/path/to/built/rpm-4.18.0 (see README.md).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${RPM_NDB_TREE:?set RPM_NDB_TREE to an rpm source tree built with --enable-ndb}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export SOURCE_DATE_EPOCH=1700000000

for spec in "$HERE"/specs/*.spec; do
  rpmbuild --quiet --define "_topdir $W/rpmbuild" --define "use_source_date_epoch_as_buildtime 1" \
    --define "_buildhost fixtures.drydock.test" -bb "$spec"
done

# SQLite database (rpm's default backend), with one package erased again and a signing key.
R=$W/root
mkdir -p "$R"
# Debian's rpm defaults to ~/.rpmdb; name the dbpath of a Red Hat system (and hush its Alien notice).
rpmr() { rpm --root "$R" --dbpath /var/lib/rpm "$@" 2> >(grep -v -e 'use Alien' -e 'assuming you know' >&2); }
rpmr --initdb
rpmr -i --nodeps --noscripts --nosignature "$W"/rpmbuild/RPMS/*/*.rpm
rpmr -e --nodeps --noscripts removed
rpmr --import "$HERE/specs/RPM-GPG-KEY-synthetic-test.asc"
[[ -s $R/var/lib/rpm/rpmdb.sqlite-wal ]] && { echo "non-empty WAL" >&2; exit 1; }
cp "$R/var/lib/rpm/rpmdb.sqlite" "$HERE/rpmdb.sqlite"
# rpm writes 4096-byte pages, and its ~50 index tables and indexes take at least a page each
# (270 KB here); repacking with 512-byte pages keeps every table and blob as rpm wrote them in a
# third of the space (and makes the large header span SQLite overflow pages). WAL mode is kept.
sqlite3 "$HERE/rpmdb.sqlite" "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM; PRAGMA journal_mode=WAL;" >/dev/null

# Berkeley DB: as rpm <= 4.16 wrote it (little-endian, 4096-byte pages); big-endian with 1024-byte
# pages (as written on s390x/ppc64; more overflow pages per header); and with 512-byte pages and
# page checksums, which rpm's own bdb_ro cannot read (checked against db5.3_dump instead).
python3 "$HERE/sqlite2bdb.py" "$HERE/rpmdb.sqlite" "$HERE/Packages"
python3 "$HERE/sqlite2bdb.py" "$HERE/rpmdb.sqlite" "$HERE/Packages-be-1k" --big-endian --pagesize 1024
python3 "$HERE/sqlite2bdb.py" "$HERE/rpmdb.sqlite" "$HERE/Packages-chksum-512" --pagesize 512 --checksum
cmp <(db5.3_dump -p "$HERE/Packages" | sed '1,/HEADER=END/d') \
    <(db5.3_dump -p "$HERE/Packages-chksum-512" | sed '1,/HEADER=END/d')

# ndb: rpm --rebuilddb converts the SQLite database; only Packages.db holds headers.
N=$W/ndb
mkdir -p "$N"
cp "$HERE/rpmdb.sqlite" "$N/"
RPMNDB=("$RPM_NDB_TREE/rpm" --rcfile "$RPM_NDB_TREE/rpmrc" --macros "$RPM_NDB_TREE/macros")
"$RPM_NDB_TREE/rpmdb" --rcfile "$RPM_NDB_TREE/rpmrc" --macros "$RPM_NDB_TREE/macros" \
  --dbpath "$N" --define '_db_backend ndb' --rebuilddb
cp "$N/Packages.db" "$HERE/Packages.db"

# What rpm itself reads from each database: one line per package, and one per owned file. All
# four databases hold the same headers, so rpm must read the same from each.
QF='%{NAME}\t%{EVR}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%{MODULARITYLABEL}\n'
FQF='[%{FILENAMES}\t%{=NAME}\n]'
D=$W/query
mkdir -p "$D"
cp "$HERE/rpmdb.sqlite" "$D/"
rpm --dbpath "$D" -qa --qf "$QF" | sort >"$HERE/expected.tsv"
rpm --dbpath "$D" -qa --qf "$FQF" | sort >"$HERE/expected-files.tsv"
for bdb in Packages Packages-be-1k; do
  rm -rf "$D" && mkdir -p "$D" && cp "$HERE/$bdb" "$D/Packages"
  cmp "$HERE/expected.tsv" <(rpm --dbpath "$D" --define '_db_backend bdb_ro' -qa --qf "$QF" 2>/dev/null | sort)
  cmp "$HERE/expected-files.tsv" <(rpm --dbpath "$D" --define '_db_backend bdb_ro' -qa --qf "$FQF" 2>/dev/null | sort)
done
cmp "$HERE/expected.tsv" <("${RPMNDB[@]}" --dbpath "$N" --define '_db_backend ndb' -qa --qf "$QF" | sort)
cmp "$HERE/expected-files.tsv" <("${RPMNDB[@]}" --dbpath "$N" --define '_db_backend ndb' -qa --qf "$FQF" | sort)
ls -l "$HERE"
