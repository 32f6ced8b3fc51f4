#!/usr/bin/env bash
# Build the scanner test images (see README.md next to this file).
#
#   sudo ./build.sh [OUT_DIR]            (default OUT_DIR=./test-images)
#
# Needs root (debootstrap, chroot, rpm --root) and network access to the Debian
# archive (debootstrap/apt) and to PyPI (pip download).  Nothing else is fetched.
# Uses only Debian packages: debootstrap skopeo rpm db5.3-util sqlite3 pigz
# python3 python3-pip jq (installed below when missing, unless NO_APT=1).
#
# Output:
#   OUT_DIR/oci/<image>/              OCI image layout, ref name "latest"
#   OUT_DIR/docker-archive/<image>.tar  docker-archive (skopeo copy) of the same image
#   OUT_DIR/_work/                    rootfs trees, layer tars, caches (reused on re-runs;
#                                     delete it, or set FRESH=1, for a clean build)
#
# Images: debian-min debian-multi alpine-like rpm-sqlite rpm-bdb multi-arch large
# Individual steps can be re-done by deleting OUT_DIR/_work/.stamp-<step>.
set -euo pipefail

OUT=${1:-./test-images}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=$OUT/_work
OCI=$OUT/oci
DA=$OUT/docker-archive
SUITE=${SUITE:-bookworm}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
OT=(python3 "$HERE/ocitool.py")
ENVPATH="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '\n=== %s  %s\n' "$(date +%T)" "$*" >&2; }
stamp() { [[ -e $W/.stamp-$1 ]]; }
done_stamp() { touch "$W/.stamp-$1"; }

[[ $(id -u) == 0 ]] || { echo "build.sh must run as root" >&2; exit 1; }
# Never delete through a mount: a chroot step that was killed can leave the host's /dev or /proc
# bind-mounted inside a rootfs, and an rm -rf of that rootfs would then empty the host's /dev.
unmount_below() { # DIR: lazily unmount everything mounted at or below DIR (deepest first)
  local dir m
  dir=$(realpath -m "$1")
  awk '{print $2}' /proc/mounts | { grep -E "^${dir}(/|$)" || true; } | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
safe_rm() { local d; for d in "$@"; do [[ -e $d ]] || continue; unmount_below "$d"; rm -rf --one-file-system "$d"; done; }
unmount_below "$W"
[[ ${FRESH:-0} == 1 ]] && safe_rm "$W" "$OCI" "$DA"
mkdir -p "$W/layers" "$OCI" "$DA"

# ---------------------------------------------------------------- tools
if [[ ${NO_APT:-0} != 1 ]]; then
  missing=()
  for pair in debootstrap:debootstrap skopeo:skopeo rpm:rpm rpmbuild:rpm db5.3_load:db5.3-util \
              sqlite3:sqlite3 pigz:pigz jq:jq gpg:gpg; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# ---------------------------------------------------------------- chroot helper
MOUNTED=()
cleanup_mounts() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[i]}" 2>/dev/null || true; done
  MOUNTED=()
}
trap cleanup_mounts EXIT

in_chroot() { # ROOTFS CMD...   (network via the host's resolv.conf, removed afterwards)
  local r=$1; shift
  mount -t proc proc "$r/proc"; MOUNTED+=("$r/proc")
  mount --bind /dev "$r/dev"; MOUNTED+=("$r/dev")
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
  local rc=0
  chroot "$r" /usr/bin/env -i "$ENVPATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 "$@" || rc=$?
  rm -f "$r/etc/resolv.conf" "$r/usr/sbin/policy-rc.d"
  cleanup_mounts
  return $rc
}

apt_clean() { # ROOTFS: what a Dockerfile's "apt-get clean && rm -rf /var/lib/apt/lists/*" leaves
  local r=$1
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
         "$r"/var/cache/apt/archives/partial/* "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old
  mkdir -p "$r/var/lib/apt/lists/partial"
}

copy_tree() { safe_rm "$2"; unmount_below "$1"; cp -a --one-file-system "$1" "$2"; }

# ---------------------------------------------------------------- 1. debian-min
R1=$W/rootfs-1-min
if ! stamp rootfs-min; then
  log "debootstrap --variant=minbase $SUITE"
  safe_rm "$R1"
  debootstrap --variant=minbase "$SUITE" "$R1" ${DEBIAN_MIRROR:-} >"$W/debootstrap.log" 2>&1 ||
    { tail -20 "$W/debootstrap.log"; exit 1; }
  apt_clean "$R1"
  rm -f "$R1/etc/resolv.conf" "$R1/var/log/bootstrap.log"
  echo localhost >"$R1/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$R1/etc/hosts"
  unmount_below "$R1"   # debootstrap bind-mounts the host's /dev in containers
  find "$R1/dev" -xdev -mindepth 1 -delete
  done_stamp rootfs-min
fi
if ! stamp layer-1; then
  log "layer 1 (full rootfs)"
  "${OT[@]}" layer-full "$R1" "$W/layers/1-min.tar" --exclude-contents proc --exclude-contents sys \
    --exclude-contents dev
  done_stamp layer-1
fi

# ---------------------------------------------------------------- 2. debian-multi
R2=$W/rootfs-2-pkgs; R3=$W/rootfs-3-pip; R4=$W/rootfs-4-app; R5=$W/rootfs-5-whiteout
PKGS_L2=(
  # python (deb-installed dist-info/egg-info under /usr/lib/python3/dist-packages)
  python3 python3-pip python3-venv python3-requests python3-yaml python3-jinja2
  # node (package.json under /usr/share/nodejs)
  node-semver node-minimist node-debug node-ms node-lodash node-glob node-minimatch node-underscore
  node-moment node-marked node-handlebars node-uuid node-cookie node-ws node-tar node-json5
  # java (jars with META-INF/maven/**/pom.properties under /usr/share/java, poms in /usr/share/maven-repo)
  liblog4j2-java libcommons-text-java libjackson2-databind-java libcommons-collections3-java libxstream-java
  # ruby (gemspecs under /usr/share/rubygems-integration and /usr/lib/ruby/gems)
  ruby-rack ruby-sinatra ruby-json ruby-addressable ruby-nokogiri
)
if ! stamp layer-2; then
  log "layer 2: apt-get install ${#PKGS_L2[@]} packages"
  copy_tree "$R1" "$R2"
  in_chroot "$R2" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends ${PKGS_L2[*]}" \
    >"$W/layer2-apt.log" 2>&1 || { tail -30 "$W/layer2-apt.log"; exit 1; }
  apt_clean "$R2"
  "${OT[@]}" layer-diff "$R1" "$R2" "$W/layers/2-pkgs.tar" --exclude-contents proc --exclude-contents dev \
    --exclude-contents sys
  done_stamp layer-2
fi

# layer 3: old, known-vulnerable wheels (downloaded on the host with pip, installed offline in the chroot)
PIP_SYSTEM=(Django==2.2.0 pytz==2019.1 sqlparse==0.2.4 requests==2.19.1 urllib3==1.24.1 idna==2.7
            chardet==3.0.4 certifi==2018.8.24 cryptography==3.2 cffi==1.15.1 pycparser==2.21 six==1.12.0
            PyYAML==5.3 Pillow==9.3.0 Jinja2==2.10)
PIP_VENV=(Flask==1.0 Werkzeug==0.15.0 Jinja2==2.10 MarkupSafe==2.1.3 itsdangerous==1.1.0 click==7.0)
if ! stamp wheels; then
  log "pip download (wheels for cp311/manylinux x86_64; PyYAML 5.3 as sdist)"
  rm -rf "$W/wheels"; mkdir -p "$W/wheels"
  bin=(); for s in "${PIP_SYSTEM[@]}" "${PIP_VENV[@]}"; do [[ $s == PyYAML* ]] || bin+=("$s"); done
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 --implementation cp \
    --abi cp311 --abi abi3 --abi none --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux2010_x86_64 \
    -d "$W/wheels" $(printf '%s\n' "${bin[@]}" | sort -u)
  python3 -m pip download -q --no-deps --no-binary=:all: -d "$W/wheels" PyYAML==5.3
  done_stamp wheels
fi
if ! stamp layer-3; then
  log "layer 3: pip install into /usr/local and /opt/venv"
  copy_tree "$R2" "$R3"
  mkdir -p "$R3/tmp/wheels"; cp "$W/wheels"/* "$R3/tmp/wheels/"
  in_chroot "$R3" sh -ec "
    pip3 install --break-system-packages --no-index --find-links /tmp/wheels --no-deps --no-build-isolation \
      ${PIP_SYSTEM[*]}
    python3 -m venv /opt/venv
    /opt/venv/bin/pip install --no-index --find-links /tmp/wheels --no-deps ${PIP_VENV[*]}
  " >"$W/layer3-pip.log" 2>&1 || { tail -30 "$W/layer3-pip.log"; exit 1; }
  rm -rf "$R3/tmp/wheels" "$R3/root/.cache"
  "${OT[@]}" layer-diff "$R2" "$R3" "$W/layers/3-pip.tar" --exclude-contents proc --exclude-contents dev \
    --exclude-contents sys
  done_stamp layer-3
fi

# layer 4: an application directory whose language packages belong to no OS package
# (trivy ignores language packages whose files are owned by dpkg; see mkapp.py)
if ! stamp layer-4; then
  log "layer 4: /opt/app (node_modules, jars, fat jar) + gem-install style gemspecs"
  copy_tree "$R3" "$R4"
  python3 "$HERE/mkapp.py" "$R4"
  "${OT[@]}" layer-diff "$R3" "$R4" "$W/layers/4-app.tar" --exclude-contents proc --exclude-contents dev \
    --exclude-contents sys
  done_stamp layer-4
fi

# layer 5: deletions that must hide package metadata from lower layers
#  - .wh. file/dir whiteouts: urllib3 1.24.1 (dist-info + module dir) and Pillow's dist-info only
#    (module code stays) in /usr/local; Werkzeug in /opt/venv; /usr/share/nodejs/moment and
#    /opt/app/node_modules/moment (whole dirs); /opt/app/node_modules/handlebars/package.json (file only);
#    log4j-core 2.19.0 (jar, symlink, maven-repo dir); /opt/app/lib/spring-core-5.3.17.jar;
#    the loofah 2.18.0 gemspec + gem dir in /usr/local/lib/ruby/gems
#  - dpkg --purge handlebars (the deb behind node-handlebars; status rewritten, files whited out)
#  - opaque whiteout (.wh..wh..opq) on /usr/share/rubygems-integration/all/specifications:
#    every gemspec of lower layers is hidden, only rack's is re-added in this layer
GEMSPECS=usr/share/rubygems-integration/all/specifications
if ! stamp layer-5; then
  log "layer 5: whiteouts"
  copy_tree "$R4" "$R5"
  sp=$R5/usr/local/lib/python3.11/dist-packages
  rm -rf "$sp"/urllib3 "$sp"/urllib3-1.24.1.dist-info "$sp"/Pillow-9.3.0.dist-info
  vsp=$R5/opt/venv/lib/python3.11/site-packages
  rm -rf "$vsp"/werkzeug "$vsp"/Werkzeug-0.15.0.dist-info
  rm -rf "$R5/usr/share/nodejs/moment" "$R5/opt/app/node_modules/moment"
  rm -f "$R5/opt/app/node_modules/handlebars/package.json"
  rm -f "$R5"/usr/share/java/log4j-core*.jar "$R5/opt/app/lib/spring-core-5.3.17.jar"
  rm -rf "$R5"/usr/share/maven-repo/org/apache/logging/log4j/log4j-core
  rm -rf "$R5"/usr/local/lib/ruby/gems/3.1.0/specifications/loofah-2.18.0.gemspec \
         "$R5"/usr/local/lib/ruby/gems/3.1.0/gems/loofah-2.18.0
  in_chroot "$R5" dpkg --purge handlebars >"$W/layer5-dpkg.log" 2>&1 ||
    { cat "$W/layer5-dpkg.log"; exit 1; }
  rack=$(cd "$R5/$GEMSPECS" && ls rack-[0-9]*.gemspec | head -1)
  cp -a "$R5/$GEMSPECS/$rack" "$W/keep-$rack"
  rm -rf "$R5/$GEMSPECS"; mkdir -p "$R5/$GEMSPECS"; cp -a "$W/keep-$rack" "$R5/$GEMSPECS/$rack"
  touch -r "$R4/$GEMSPECS" "$R5/$GEMSPECS"
  "${OT[@]}" layer-diff "$R4" "$R5" "$W/layers/5-whiteout.tar" --opaque "$GEMSPECS" \
    --exclude-contents proc --exclude-contents dev --exclude-contents sys
  done_stamp layer-5
fi
# expectations for debian-multi/large derived from the trees themselves (checked by reference/compare.py)
python3 - "$R4" "$R5" "$GEMSPECS" >"$OUT/debian-multi.expected.tsv" <<'PY'
import json, os, re, sys
r4, r5, gs = sys.argv[1:4]
def status_version(root, pkg):
    txt = open(f"{root}/var/lib/dpkg/status").read()
    m = re.search(rf"^Package: {re.escape(pkg)}\n(?:[^\n]+\n)*?Version: (\S+)", txt, re.M)
    return m.group(1) if m else None
rows = [("expect", "type", "name", "version", "why")]
A = lambda *r: rows.append(("absent",) + r)
P = lambda *r: rows.append(("present",) + r)
A("python", "urllib3", "1.24.1", "dist-info + module dir whited out (/usr/local)")
A("python", "pillow", "9.3.0", "only Pillow-9.3.0.dist-info whited out; PIL/ code stays")
A("python", "werkzeug", "0.15.0", "whited out in /opt/venv")
mom = json.load(open(f"{r4}/usr/share/nodejs/moment/package.json"))["version"]
A("npm", "moment", mom, "/usr/share/nodejs/moment and /opt/app/node_modules/moment whited out (deb node-moment stays)")
hb = json.load(open(f"{r4}/opt/app/node_modules/handlebars/package.json"))["version"]
A("npm", "handlebars", hb, "dpkg --purge handlebars + /opt/app/node_modules/handlebars/package.json whited out")
A("deb", "handlebars", status_version(r4, "handlebars"), "dpkg --purge in the whiteout layer")
A("java", "org.apache.logging.log4j:log4j-core", "2.19.0", "Debian jar + symlink + maven-repo entry whited out")
A("java", "org.springframework:spring-core", "5.3.17", "/opt/app/lib jar whited out")
A("gem", "loofah", "2.18.0", "gemspec + gem dir whited out (/usr/local/lib/ruby/gems)")
elsewhere = set()  # gemspecs that survive in other directories (e.g. ruby's bundled gems)
for dp, dns, fns in os.walk(r5):
    if dp.endswith("/specifications") or "/specifications/" in dp:
        elsewhere.update(f for f in fns if f.endswith(".gemspec"))
for f in sorted(os.listdir(f"{r4}/{gs}")):
    if f.endswith(".gemspec") and not f.startswith("rack-") and f not in elsewhere:
        n, v = f[:-len(".gemspec")].rsplit("-", 1)
        A("gem", n, v, f"hidden by the opaque whiteout on /{gs}")
rack = [f for f in os.listdir(f"{r5}/{gs}") if f.startswith("rack-")][0][:-len(".gemspec")].rsplit("-", 1)
P("gem", rack[0], rack[1], "re-added inside the opaque directory")
P("deb", "node-moment", status_version(r5, "node-moment"), "dpkg still lists it; only its files were deleted")
P("python", "flask", "1.0", "/opt/venv")
P("python", "pyyaml", "5.3", "built from sdist (pure python) into /usr/local")
P("python", "urllib3", status_version(r5, "python3-urllib3").split("-")[0], "Debian python3-urllib3 (dpkg-owned)")
P("java", "org.apache.logging.log4j:log4j-core", "2.14.1", "synthetic jar /opt/app/lib (pom.properties)")
P("java", "org.yaml:snakeyaml", "1.33", "nested in /opt/app/app.jar BOOT-INF/lib")
P("java", "org.jsoup:jsoup", "1.14.2", "MANIFEST.MF only, no pom.properties")
P("java", "org.example.oracle:oracle-app", "1.0.0", "the fat jar itself")
P("gem", "puma", "5.6.4", "/usr/local/lib/ruby/gems")
P("npm", "oracle-test-app", "1.0.0", "/opt/app/package.json")
for r in rows:
    print("\t".join(x or "" for x in r))
PY

# ---------------------------------------------------------------- large: + big layer
R6=$W/rootfs-6-large
PKGS_L6=(default-jdk-headless golang-1.19-go python3.11-doc perl-doc ruby3.1-doc)
LARGE=$([[ ${SKIP_LARGE:-0} == 1 ]] && echo 0 || echo 1)
if ((LARGE)) && ! stamp layer-6; then
  log "layer 6 (large): apt-get install ${PKGS_L6[*]}"
  copy_tree "$R5" "$R6"
  in_chroot "$R6" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends ${PKGS_L6[*]}" \
    >"$W/layer6-apt.log" 2>&1 || { tail -30 "$W/layer6-apt.log"; exit 1; }
  apt_clean "$R6"
  "${OT[@]}" layer-diff "$R5" "$R6" "$W/layers/6-large.tar" --exclude-contents proc --exclude-contents dev \
    --exclude-contents sys
  done_stamp layer-6
fi

# ---------------------------------------------------------------- alpine-like (x86_64 + aarch64)
for arch in x86_64 aarch64; do
  if ! stamp alpine-$arch; then
    log "alpine-like rootfs ($arch)"
    rm -rf "$W/rootfs-alpine-$arch"
    python3 "$HERE/mkapk.py" "$W/rootfs-alpine-$arch" "$arch"
    "${OT[@]}" layer-full "$W/rootfs-alpine-$arch" "$W/layers/alpine-$arch.tar"
    done_stamp alpine-$arch
  fi
done

# ---------------------------------------------------------------- rpm (Rocky 8.8 look-alike)
if ! stamp rpm; then
  log "rpmbuild + rpm --root install"
  rm -rf "$W/rpmbuild" "$W/rootfs-rpm" "$W/rootfs-rpm-bdb"
  python3 "$HERE/mkrpms.py" "$W/rpmbuild" >"$W/rpmbuild.log" 2>&1 || { tail -30 "$W/rpmbuild.log"; exit 1; }
  RR=$W/rootfs-rpm
  mkdir -p "$RR"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,tmp,var/tmp,var/lib/rpm,proc,sys,dev,run,home}
  ln -s usr/bin "$RR/bin"; ln -s usr/sbin "$RR/sbin"; ln -s usr/lib "$RR/lib"; ln -s usr/lib64 "$RR/lib64"
  chmod 1777 "$RR/tmp" "$RR/var/tmp"
  printf 'root:x:0:0:root:/root:/bin/bash\n' >"$RR/etc/passwd"
  printf 'root:x:0:\n' >"$RR/etc/group"
  rpmq() { rpm --root "$RR" --dbpath /var/lib/rpm "$@" 2> >(grep -v -e 'use Alien' -e 'assuming you know' >&2); }
  rpmq --initdb
  rpmq -i --nodeps --noscripts --notriggers --nosignature "$W"/rpmbuild/RPMS/*/*.rpm
  rpmq --import "$HERE/rpm/RPM-GPG-KEY-synthetic-test.asc"
  rpmq -qa >"$W/rpm-qa.txt"
  # rpm leaves an empty WAL and a shared-memory file next to the database; drop them
  [[ -s $RR/var/lib/rpm/rpmdb.sqlite-wal ]] && { echo "non-empty WAL" >&2; exit 1; }
  rm -f "$RR"/var/lib/rpm/rpmdb.sqlite-wal "$RR"/var/lib/rpm/rpmdb.sqlite-shm
  # BDB twin: same files, /var/lib/rpm/Packages instead of rpmdb.sqlite
  cp -a "$RR" "$W/rootfs-rpm-bdb"
  rm -f "$W/rootfs-rpm-bdb/var/lib/rpm/rpmdb.sqlite"
  python3 "$HERE/rpmdb2bdb.py" "$RR/var/lib/rpm/rpmdb.sqlite" "$W/rootfs-rpm-bdb/var/lib/rpm"
  rpm --dbpath "$W/rootfs-rpm-bdb/var/lib/rpm" --define '_db_backend bdb_ro' -qa 2>/dev/null | sort >"$W/rpm-qa-bdb.txt"
  cmp <(sort "$W/rpm-qa.txt") "$W/rpm-qa-bdb.txt" || { echo "BDB conversion lost headers" >&2; exit 1; }
  "${OT[@]}" layer-full "$RR" "$W/layers/rpm-sqlite.tar"
  "${OT[@]}" layer-full "$W/rootfs-rpm-bdb" "$W/layers/rpm-bdb.tar"
  done_stamp rpm
fi

# ---------------------------------------------------------------- OCI layouts
L=$W/layers
img() { # NAME ARCH [VARIANT] -- LAYER=CREATED_BY ...
  local name=$1 arch=$2 variant=$3; shift 4
  local args=() l
  for l in "$@"; do args+=(--layer "$l"); done
  rm -rf "$OCI/$name"
  "${OT[@]}" image "$OCI/$name" --tag latest --arch "$arch" ${variant:+--variant "$variant"} \
    --env "$ENVPATH" --label "org.opencontainers.image.title=$name" \
    --label "org.opencontainers.image.description=Drydock scanner test image" \
    "${args[@]}" >/dev/null
}
log "assembling OCI layouts"
C_MIN="debootstrap --variant=minbase $SUITE / (apt lists and caches removed)"
C_L2="apt-get install --no-install-recommends ${PKGS_L2[*]}"
C_L3="pip install --no-deps ${PIP_SYSTEM[*]} (/usr/local); python3 -m venv /opt/venv && /opt/venv/bin/pip install ${PIP_VENV[*]}"
C_L4="mkapp.py: /opt/app (package.json, node_modules, lib/*.jar, app.jar) + /usr/local/lib/ruby/gems/3.1.0 gemspecs"
C_L5="rm -rf urllib3* Pillow-*.dist-info (/usr/local) werkzeug* (/opt/venv) nodejs/moment node_modules/moment node_modules/handlebars/package.json log4j-core*.jar spring-core-5.3.17.jar loofah-2.18.0; dpkg --purge handlebars; opaque $GEMSPECS (only rack kept)"
C_L6="apt-get install --no-install-recommends ${PKGS_L6[*]}"
img debian-min amd64 "" -- "$L/1-min.tar=$C_MIN"
img debian-multi amd64 "" -- "$L/1-min.tar=$C_MIN" "$L/2-pkgs.tar=$C_L2" "$L/3-pip.tar=$C_L3" \
  "$L/4-app.tar=$C_L4" "$L/5-whiteout.tar=$C_L5"
((LARGE)) && img large amd64 "" -- "$L/1-min.tar=$C_MIN" "$L/2-pkgs.tar=$C_L2" "$L/3-pip.tar=$C_L3" \
  "$L/4-app.tar=$C_L4" "$L/5-whiteout.tar=$C_L5" "$L/6-large.tar=$C_L6"
img alpine-like amd64 "" -- "$L/alpine-x86_64.tar=hand-crafted Alpine 3.18.4 look-alike (mkapk.py x86_64)"
img alpine-like-arm64 arm64 v8 -- "$L/alpine-aarch64.tar=hand-crafted Alpine 3.18.4 look-alike (mkapk.py aarch64)"
img rpm-sqlite amd64 "" -- "$L/rpm-sqlite.tar=rpmbuild look-alikes of Rocky 8.8 packages; rpm --root install (sqlite rpmdb)"
img rpm-bdb amd64 "" -- "$L/rpm-bdb.tar=same as rpm-sqlite, rpmdb converted to Berkeley DB hash Packages"
rm -rf "$OCI/multi-arch"
"${OT[@]}" index "$OCI/multi-arch" --tag latest --from "$OCI/alpine-like:latest" \
  --from "$OCI/alpine-like-arm64:latest" >/dev/null
rm -rf "$OCI/alpine-like-arm64"

# ---------------------------------------------------------------- docker archives
log "docker-archive tarballs (skopeo)"
for name in debian-min debian-multi alpine-like rpm-sqlite rpm-bdb multi-arch $( ((LARGE)) && echo large); do
  rm -f "$DA/$name.tar"
  skopeo copy -q "oci:$OCI/$name:latest" "docker-archive:$DA/$name.tar:drydock-test/$name:latest"
done
# the docker-archive of the index holds one platform (amd64); also save the arm64 one
rm -f "$DA/multi-arch-arm64.tar"
skopeo copy -q --override-arch arm64 --override-variant v8 "oci:$OCI/multi-arch:latest" \
  "docker-archive:$DA/multi-arch-arm64.tar:drydock-test/multi-arch:latest-arm64"

# ---------------------------------------------------------------- summary
log "summary"
{
  printf 'image\tlayers\tcompressed_bytes\tuncompressed_bytes\tdocker_archive_bytes\n'
  for name in debian-min debian-multi alpine-like rpm-sqlite rpm-bdb multi-arch $( ((LARGE)) && echo large); do
    idx=$OCI/$name/index.json
    d=$(jq -r '.manifests[0].digest' "$idx"); mt=$(jq -r '.manifests[0].mediaType' "$idx")
    blob() { echo "$OCI/$name/blobs/${1/://}"; }
    if [[ $mt == *index* ]]; then d=$(jq -r '.manifests[0].digest' "$(blob "$d")"); fi
    m=$(blob "$d")
    nl=$(jq '.layers|length' "$m"); comp=$(jq '[.layers[].size]|add' "$m")
    unc=0; for l in $(jq -r '.layers[].digest' "$m"); do unc=$((unc + $(zcat "$(blob "$l")" | wc -c))); done
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$nl" "$comp" "$unc" "$(stat -c %s "$DA/$name.tar")"
  done
} | tee "$OUT/sizes.tsv" | column -t
