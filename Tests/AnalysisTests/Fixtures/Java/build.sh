#!/bin/sh
# Rebuild the Java archive fixtures in this folder with the JDK's `jar` and Info-ZIP's `zip`, from
# Debian's jars in /usr/share/java (libslf4j-java, libmaven3-core-java, libguice-java,
# libaopalliance-java, libatinject-jsr330-api-java) and small synthetic jars shaped like those of
# /work/shared/images/mkapp.py.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
J=/usr/share/java
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATE=2023-11-14T22:13:20Z
export TZ=UTC

# synthetic NAME.jar GROUP ARTIFACT VERSION [MANIFEST-LINES...]: a jar with a manifest and, when
# GROUP is not "-", META-INF/maven/GROUP/ARTIFACT/pom.properties as Maven writes it.
synthetic() {
  out=$1 g=$2 a=$3 v=$4; shift 4
  d="$WORK/build-$(basename "$out")"
  rm -rf "$d"; mkdir -p "$d/classes"
  printf 'Created-By: drydock fixtures\n' > "$d/MANIFEST"
  for line in "$@"; do printf '%s\n' "$line" >> "$d/MANIFEST"; done
  if [ "$g" != - ]; then
    mkdir -p "$d/classes/META-INF/maven/$g/$a"
    printf '#Created by Apache Maven 3.8.4\nartifactId=%s\ngroupId=%s\nversion=%s\n' "$a" "$g" "$v" \
      > "$d/classes/META-INF/maven/$g/$a/pom.properties"
    printf '<project><modelVersion>4.0.0</modelVersion><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></project>\n' \
      "$g" "$a" "$v" > "$d/classes/META-INF/maven/$g/$a/pom.xml"
    pkg=$(echo "$g" | tr . /)
  else
    pkg=$(echo "$a" | tr -c 'a-z0-9\n' /)
  fi
  mkdir -p "$d/classes/$pkg"
  printf '\312\376\272\276\000\000\000\064' > "$d/classes/$pkg/Placeholder.class"
  jar --create --date=$DATE --file "$out" --manifest "$d/MANIFEST" -C "$d/classes" .
}

# nest OUTER.jar ENTRY-DIR FILE...: add FILEs under ENTRY-DIR/ inside OUTER.jar, stored (as Spring
# Boot stores BOOT-INF/lib/*.jar) unless NEST_DEFLATE=1.
nest() {
  outer=$1 dir=$2; shift 2
  d="$WORK/nest-$$"; rm -rf "$d"; mkdir -p "$d/$dir"
  for f in "$@"; do cp "$f" "$d/$dir/"; done
  touch -t 202311142213 "$d/$dir" "$d/$dir"/*
  level=-0; [ "${NEST_DEFLATE:-0}" = 1 ] && level=-9
  (cd "$d" && zip -q -X $level "$outer" "$dir"/*)
  rm -rf "$d"
}

cd "$WORK"
# Debian's jars, under their versioned names (the /usr/share/java symlinks).
cp $J/slf4j-nop.jar slf4j-nop-1.7.32.jar
cp $J/maven3-slf4j-provider.jar maven3-slf4j-provider-3.8.7.jar
cp $J/guice-jmx.jar guice-jmx-4.2.3.jar
cp $J/aopalliance.jar aopalliance-1.0.jar
cp $J/atinject-jsr330-api.jar atinject-jsr330-api-1.0.jar

# jsoup 1.14.2 without pom.properties: identified from its file name and manifest only.
synthetic jsoup-1.14.2.jar - jsoup 1.14.2 'Implementation-Title: jsoup' 'Implementation-Version: 1.14.2' \
  'Implementation-Vendor-Id: org.jsoup' 'Bundle-SymbolicName: org.jsoup' 'Bundle-Version: 1.14.2'
synthetic snakeyaml-1.33.jar org.yaml snakeyaml 1.33 'Implementation-Title: SnakeYAML' \
  'Implementation-Version: 1.33' 'Bundle-SymbolicName: org.yaml.snakeyaml' 'Bundle-Version: 1.33'

# Spring-Boot-style fat jar: its own pom.properties, stored BOOT-INF/lib jars, one deflated.
synthetic app.jar org.example.oracle oracle-app 1.0.0 'Main-Class: org.springframework.boot.loader.JarLauncher' \
  'Start-Class: org.example.oracle.App' 'Implementation-Title: oracle-app' 'Implementation-Version: 1.0.0'
nest "$WORK/app.jar" BOOT-INF/lib slf4j-nop-1.7.32.jar snakeyaml-1.33.jar
NEST_DEFLATE=1 nest "$WORK/app.jar" BOOT-INF/lib jsoup-1.14.2.jar
# The same with a launch script in front and offsets left relative to the zip (as Spring Boot's
# "fully executable" jars are).
{ printf '#!/bin/sh\nexec java -jar "$0" "$@"\n'; cat app.jar; } > app-exec.jar

# A war whose WEB-INF/lib jar holds another jar (two levels), next to a manifest-only jar.
synthetic inner-lib-2.0.jar org.example inner-lib 2.0
nest "$WORK/inner-lib-2.0.jar" lib slf4j-nop-1.7.32.jar
synthetic app.war org.example web-app 3.1 'Implementation-Title: web-app'
nest "$WORK/app.war" WEB-INF/lib inner-lib-2.0.jar guice-jmx-4.2.3.jar

# Six levels: deep.jar > level1.jar > ... > level5.jar; only four levels of nesting are read.
synthetic level5.jar org.example.deep level5 1.0.5
for n in 4 3 2 1; do
  synthetic level$n.jar org.example.deep level$n 1.0.$n
  nest "$WORK/level$n.jar" lib level$((n + 1)).jar
done
synthetic deep.jar org.example.deep deep 1.0.0
nest "$WORK/deep.jar" lib level1.jar

# A jar holding a 2 MiB "jar" of zeros (2 KiB deflated): the test lowers the nested-size cap to
# 1 MiB to see it skipped, and the entry budget to see the analysis refused.
synthetic bomb.jar org.example bomb 0.1
head -c 2097152 /dev/zero > zeros.jar
NEST_DEFLATE=1 nest "$WORK/bomb.jar" BOOT-INF/lib zeros.jar

# A jar whose MANIFEST.MF deflate data is a stored block claiming 65535 bytes that the file does
# not have: the stream runs into the end of the file (ZIPFoundation 0.9.20's extract never returns
# on it under Linux).
python3 - runaway.jar <<'PY'
import io, struct, sys, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("META-INF/MANIFEST.MF", (2023, 11, 14, 22, 13, 20))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, b"Manifest-Version: 1.0\r\n\r\n")
d = bytearray(buf.getvalue())
n, e = struct.unpack_from("<HH", d, 26)
start, csize = 30 + n + e, struct.unpack_from("<I", d, 18)[0]
d[start:start + csize] = b"\x00\xff\xff\x00\x00" + b"A" * (csize - 5)
open(sys.argv[1], "wb").write(d)
PY

rm -f "$HERE"/*.jar "$HERE"/*.war
cp slf4j-nop-1.7.32.jar maven3-slf4j-provider-3.8.7.jar guice-jmx-4.2.3.jar aopalliance-1.0.jar \
  atinject-jsr330-api-1.0.jar jsoup-1.14.2.jar app.jar app-exec.jar app.war deep.jar bomb.jar runaway.jar "$HERE/"
ls -l "$HERE"
