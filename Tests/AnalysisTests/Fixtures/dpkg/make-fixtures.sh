#!/usr/bin/env bash
# Regenerates the dpkg fixtures in this folder with the real dpkg tools (Debian 12's dpkg 1.21).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
QF='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'

# 1. status-excerpt: six stanzas of this machine's own /var/lib/dpkg/status (binNMU source
#    version, epochs, Multi-Arch, a package without a Source field).
PKGS="bash bsdutils libc6 libzstd1 netbase zlib1g"
awk -v want=" $PKGS " 'BEGIN{RS=""; ORS="\n\n"} { split($0, l, "\n"); sub(/^Package: /, "", l[1]); if (index(want, " " l[1] " ")) print }' \
  /var/lib/dpkg/status >"$HERE/status-excerpt"
mkdir -p "$W/excerpt/updates" && cp "$HERE/status-excerpt" "$W/excerpt/status" && touch "$W/excerpt/available"
dpkg-query --admindir="$W/excerpt" -W -f "$QF" | sort >"$HERE/expected-status-excerpt.tsv"

# 2. status-states: a dpkg database written by dpkg itself, with packages in the states the
#    analyzer must tell apart. Tiny packages are built with dpkg-deb.
mkdeb() {  # name version arch [extra control lines] [conffile] [failing-postrm] [trigger]
  local d=$W/build/$1-$2
  mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
  echo "$1" >"$d/usr/share/$1/file"
  { echo "Package: $1"; echo "Version: $2"; echo "Architecture: $3"
    echo "Maintainer: Drydock fixtures <fixtures@drydock.test>"
    [[ -n ${4:-} ]] && printf '%b\n' "$4"
    echo "Description: test package $1"
    echo " A continuation line that looks like a field must not be read as one:"
    echo " Package: not-a-package"
    echo " ."
    echo " Version: 0.0"; } >"$d/DEBIAN/control"
  if [[ -n ${5:-} ]]; then mkdir -p "$d/etc"; echo conf >"$d/etc/$1.conf"; echo "/etc/$1.conf" >"$d/DEBIAN/conffiles"; fi
  if [[ -n ${6:-} ]]; then printf '#!/bin/sh\nexit 1\n' >"$d/DEBIAN/postrm"; chmod 755 "$d/DEBIAN/postrm"; fi
  if [[ -n ${7:-} ]]; then echo "$7" >"$d/DEBIAN/triggers"; fi
  dpkg-deb --root-owner-group -Zxz --build "$d" "$W/$1_$2.deb" >/dev/null
}
mkdeb keep 1.0-1 amd64 "Source: keep-src"
mkdeb epochal 2:4.5-6+b1 all "Source: epochal-src (2:4.5-6)"
mkdeb held 3.0 amd64
mkdeb removed 1.1-1 amd64 "" conffile
mkdeb deselected 0.9-2 amd64
mkdeb unpacked 5.0-1 amd64
mkdeb broken 1.0-1 amd64
mkdeb halfway 1.0 amd64 "" "" failing-postrm
mkdeb halfway 2.0 amd64 "" "" failing-postrm
mkdeb watcher 1.0 all "" "" "" "interest /usr/share/activator"
mkdeb activator 1.0 all
A=$W/admin; I=$W/inst
mkdir -p "$A/updates" "$A/info" "$I"
touch "$A/status" "$A/available"
D=(dpkg --admindir="$A" --instdir="$I" --force-not-root --force-script-chrootless --force-bad-path --log=/dev/null)
"${D[@]}" -i "$W"/keep_*.deb "$W"/epochal_*.deb "$W"/held_*.deb "$W"/removed_*.deb "$W"/deselected_*.deb >/dev/null
"${D[@]}" -r removed >/dev/null                                        # -> rc: config-files
echo "held hold" | "${D[@]}" --set-selections                          # -> hi
echo "deselected deinstall" | "${D[@]}" --set-selections               # -> di
"${D[@]}" --unpack "$W"/unpacked_*.deb >/dev/null                      # -> iU: unpacked
cut_data() {  # cut a package's data archive short, so that dpkg fails in the middle of unpacking
  (cd "$W" && rm -f data.tar.xz && ar x "$1" && head -c 100 data.tar.xz >data.cut && mv data.cut data.tar.xz \
    && rm "$1" && ar rc "$1" debian-binary control.tar.xz data.tar.xz)
}
cut_data broken_1.0-1.deb
"${D[@]}" --unpack "$W"/broken_*.deb >/dev/null 2>&1 || true            # new install: rolled back, not-installed
# An upgrade that fails, and whose rollback fails too (postrm exits 1) -> iHR: half-installed.
"${D[@]}" -i "$W"/halfway_1.0.deb >/dev/null 2>&1 || true
cut_data halfway_2.0.deb
"${D[@]}" --unpack "$W"/halfway_2.0.deb >/dev/null 2>&1 || true
# A trigger activated with --no-triggers: the interested package is left triggers-pending (it),
# the activating one triggers-awaited (iW). Both are installed.
"${D[@]}" -i "$W"/watcher_*.deb >/dev/null
"${D[@]}" --no-triggers -i "$W"/activator_*.deb >/dev/null
cp "$A/status" "$HERE/status-states"
dpkg-query --admindir="$A" -W -f "$QF" | sort >"$HERE/expected-status-states.tsv"

# 3. status.d: what distroless images keep instead of a status file — each package's control
#    file, plus its md5sums, from real Debian packages.
mkdir -p "$HERE/status.d" && rm -f "$HERE"/status.d/*
(cd "$W" && apt-get download base-files netbase >/dev/null 2>&1)
: >"$HERE/expected-status.d.tsv"
for deb in "$W"/base-files_*.deb "$W"/netbase_*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./control >"$HERE/status.d/$name"
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums >"$HERE/status.d/$name.md5sums"
  dpkg-deb --show --showformat="$QF" "$deb" | sed 's/^[^\t]*\t//' >>"$HERE/expected-status.d.tsv"
done

# 4. info/*.list: two of this machine's file lists (one named NAME:ARCH), and what dpkg-query -L
#    says each package owns.
mkdir -p "$HERE/info" && rm -f "$HERE"/info/*
for p in netbase libzstd1:amd64; do
  cp "/var/lib/dpkg/info/$p.list" "$HERE/info/"
  dpkg-query -L "$p" | grep '^/' | grep -vx '/\.' | sort >"$HERE/expected-$p.list.txt"
done
ls -l "$HERE" "$HERE/status.d" "$HERE/info"
