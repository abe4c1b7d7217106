#!/usr/bin/env bash
# Build the one-folder Linux bundle for older glibc (see README 打包, 旧版 glibc).
#
#   sudo packaging/build-old-glibc.sh WORKDIR [--skip-tests]
#
# Inside WORKDIR (outside the repository; kept between runs, so a second run reuses it):
#   root/   a Debian 11 "bullseye" root (glibc 2.31) made with debootstrap --variant=minbase
#   dist/   the finished bundle, dist/BranchDesk/
#   logs/   the long logs of every step
# In that root: SQLite built from Debian's sqlite3 source package (bookworm's 3.40.1, into
# /opt/sqlite: bullseye's 3.34.1 has no sqlite3_deserialize and no DROP COLUMN), Python 3.11
# built from Debian's own python3.11 source package (bookworm's, fetched with apt-get source,
# built with bullseye's toolchain as a shared library for PyInstaller, its _sqlite3 linked to
# that SQLite), PySide6 $PYSIDE_VERSION (the newest PySide6 whose x86_64 wheels are
# manylinux_2_28; 6.10 and later need glibc 2.34), PyInstaller, then build.spec, the frozen
# --self-test (with /opt hidden, as on a user's machine, checking that the bundle's own
# libsqlite3 is the one loaded), the glibc the bundle needs (it must be <= 2.31) and its size.
# Unless --skip-tests, the project's test suite then runs once in that root against the same
# PySide6 and SQLite.
#
# The project is copied in as `git archive HEAD`: commit first. Needs root (chroot, mount),
# debootstrap, and network to Debian's mirrors and PyPI. Mounts are undone on any exit.
# Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (default: the mirrors the host's apt uses),
# PYSIDE_VERSION.
set -euo pipefail

usage() { echo "usage: $0 WORKDIR [--skip-tests]" >&2; exit 2; }
[ $# -ge 1 ] || usage
WORK=$1; shift
RUN_TESTS=1
for arg in "$@"; do
  case "$arg" in
    --skip-tests) RUN_TESTS=0 ;;
    *) usage ;;
  esac
done

# "URI suite" for every binary source in the host's apt configuration (both file formats).
host_apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = "" } {
      uri = ""; suites = ""; types = ""; n = split($0, lines, "\n")
      for (k = 1; k <= n; k++) {
        line = lines[k]
        if (line ~ /^Types:/) types = line
        if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); split(line, u, " "); uri = u[1] }
        if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = line }
      }
      if (types ~ /[ \t]deb([ \t]|$)/ && uri != "") { m = split(suites, s, " "); for (x = 1; x <= m; x++) print uri, s[x] }
    }' "$f"
  done
}
# The Debian mirror (and security mirror) this host's apt already uses, unless given.
CODENAMES='(buster|bullseye|bookworm|trixie|forky|sid|oldstable|stable|testing|unstable)'
MIRROR=${DEBIAN_MIRROR:-$(host_apt_sources | awk -v re="^$CODENAMES\$" '$2 ~ re { print $1; exit }')}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-$(host_apt_sources | awk -v re="^$CODENAMES-security\$" '$2 ~ re { print $1; exit }')}
[ -n "$MIRROR" ] && [ -n "$SECURITY_MIRROR" ] || {
  echo "no Debian mirror found in /etc/apt/sources.list*: set DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR" >&2
  exit 1; }
PYSIDE_VERSION=${PYSIDE_VERSION:-6.9.3}
MAX_GLIBC=2.31
PREFIX=/opt/python3.11  # inside the root
SQLITE_PREFIX=/opt/sqlite  # inside the root
MIN_SQLITE=3.40  # bookworm's; the app needs >= 3.36 (deserialize), its tests >= 3.35 (DROP COLUMN)
# The compile options of Debian's libsqlite3 (bookworm's debian/rules), less two that loosen
# upstream's defaults: SQLITE_SECURE_DELETE (off, as upstream and python.org's builds) and
# SQLITE_ENABLE_FTS3_TOKENIZER (off upstream since 3.11 as a hazard; nothing here needs it).
# JSON and math functions are built in; deserialize needs no option since 3.36.
SQLITE_OPTS="-DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS
  -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1 -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1
  -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ALLOW_ROWID_IN_VIEW -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1
  -DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_LIKE_DOESNT_MATCH_BLOBS -DSQLITE_THREADSAFE=1
  -DSQLITE_USE_URI=1 -DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_ENABLE_PREUPDATE_HOOK
  -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB -DSQLITE_MAX_VARIABLE_NUMBER=250000"
SQLITE_OPTS=$(echo $SQLITE_OPTS)
SQLITE_CONFIGURE="--enable-threadsafe --enable-load-extension --enable-fts4 --enable-fts5"
# What each build was made from: a root whose stamp differs (an older run of this script) is
# rebuilt once. Python's includes SQLite's, so a new SQLite recipe rebuilds Python as well.
SQLITE_RECIPE="sqlite3 bookworm source, amalgamation, $SQLITE_CONFIGURE, $SQLITE_OPTS"
PYTHON_RECIPE="python3.11 bookworm source, --enable-shared, _sqlite3 on $SQLITE_PREFIX ($SQLITE_RECIPE)"
STAMP=.branchdesk-recipe

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "needs debootstrap: apt-get install -y debootstrap" >&2; exit 1; }
command -v git >/dev/null || { echo "needs git" >&2; exit 1; }
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
case "$WORK/" in "$REPO"/*) echo "WORKDIR must be outside the repository" >&2; exit 1 ;; esac
ROOT=$WORK/root
LOGS=$WORK/logs
mkdir -p "$LOGS"
START=$(date +%s)

step() { echo "== $(date +%H:%M:%S) $*"; }
fail_log() { echo "FAILED: $1 (last lines of $2):" >&2; tail -n 40 "$2" >&2; exit 1; }

# Every mount point below $ROOT, deepest first.
mounts_under_root() {
  awk -v root="$ROOT" '$5 == root || index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
unmount_all() {
  local m
  for m in $(mounts_under_root); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
}
trap unmount_all EXIT
trap 'echo "FAILED (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT TERM

mount_root() {
  unmount_all
  mount -t proc proc "$ROOT/proc"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
  mkdir -p "$ROOT/dev/shm"
  mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
}

# Run a bash script inside the root, with a clean environment.
in_root() {
  env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    chroot "$ROOT" /bin/bash -euo pipefail -c "$1"
}

# 1. The Debian 11 root (only once; a half-made root from an interrupted run is made again).
if [ ! -e "$ROOT/.branchdesk-debootstrap-done" ]; then
  step "debootstrap bullseye (minbase) from $MIRROR into $ROOT"
  unmount_all
  if [ -n "$(mounts_under_root)" ]; then echo "still mounted under $ROOT, not removing it" >&2; exit 1; fi
  rm -rf "$ROOT"
  debootstrap --variant=minbase bullseye "$ROOT" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 \
    || fail_log debootstrap "$LOGS/debootstrap.log"
  touch "$ROOT/.branchdesk-debootstrap-done"
fi

# apt sources: bullseye with its updates and security fixes for everything installed;
# bookworm's sources only for `apt-get source python3.11` (Debian 11 has no python3.11).
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bullseye main
deb $MIRROR bullseye-updates main
deb $SECURITY_MIRROR bullseye-security main
deb-src $MIRROR bookworm main
deb-src $SECURITY_MIRROR bookworm-security main
EOF
mount_root

# 2. Build tools, Python's build dependencies, and the libraries Qt's platform plugins load
# (offscreen for the self-test; xcb and Wayland so the bundle carries what they link to).
# (tcl8.6: SQLite's build generates its sources with tclsh. No libsqlite3-dev: Python must not
# find bullseye's SQLite headers.)
BUILD_DEPS="build-essential pkg-config dpkg-dev ca-certificates binutils libssl-dev libffi-dev
  zlib1g-dev libbz2-dev liblzma-dev libreadline-dev libncursesw5-dev uuid-dev tcl8.6"
QT_LIBS="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-xinerama0
  libwayland-client0 libwayland-cursor0 libwayland-egl1 libcups2"
# The upgrade brings debootstrap's base packages up to bullseye-security: the bundle carries
# some of them (libsystemd0, and libgnutls30 and Kerberos through libcups2).
step "apt-get upgrade, install build and Qt runtime packages (bullseye)"
in_root "apt-get update -q && apt-get upgrade -y -q
  apt-get install -y -q --no-install-recommends $(echo $BUILD_DEPS $QT_LIBS)
  if dpkg-query -W -f='\${Status}' libsqlite3-dev 2>/dev/null | grep -q 'ok installed'; then
    apt-get purge -y -q libsqlite3-dev  # a root made by an earlier version of this script
  fi" >"$LOGS/apt.log" 2>&1 || fail_log "apt-get install" "$LOGS/apt.log"
# The host's local CA certificates (a company's TLS proxy, say), trusted in the root as well.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  in_root "update-ca-certificates >/dev/null 2>&1"
fi
in_root "ldd --version | sed -n 1p"

# 3a. SQLite from Debian's sqlite3 source package (bookworm: 3.40.1 with Debian's patches).
# Bullseye's own libsqlite3 (3.34.1) stays in the root for the system; nothing here uses it.
if [ "$(cat "$ROOT$SQLITE_PREFIX/$STAMP" 2>/dev/null)" != "$SQLITE_RECIPE" ]; then
  step "apt-get source sqlite3 (bookworm) and build it into $SQLITE_PREFIX"
  in_root "
    rm -rf /build/sqlite && mkdir -p /build/sqlite && cd /build/sqlite
    apt-get source --only-source sqlite3 || {
      echo 'newest sqlite3 source not fetchable here; using bookworm main'
      rm -rf /build/sqlite/*
      apt-get source --only-source sqlite3/bookworm
    }
    cd sqlite3-*/
    # Debian's hardening flags, as for its own libsqlite3.
    export DEB_BUILD_MAINT_OPTIONS='hardening=+all future=+lfs'
    eval \"\$(dpkg-buildflags --export=sh)\"
    # ac_cv_func_malloc_usable_size=no: what Debian's patch 10-665363 does to configure.ac
    # (the shipped configure is used as is, without autoreconf).
    ./configure --prefix=$SQLITE_PREFIX --disable-static --disable-tcl $SQLITE_CONFIGURE \
      CFLAGS=\"\$CFLAGS -O2 -fno-strict-aliasing $SQLITE_OPTS\" \
      LDFLAGS=\"\$LDFLAGS -Wl,--as-needed\" ac_cv_func_malloc_usable_size=no
    make -j\$(nproc)
    rm -rf $SQLITE_PREFIX
    make install
    strip --strip-debug $SQLITE_PREFIX/lib/libsqlite3.so.*.*
    $SQLITE_PREFIX/bin/sqlite3 :memory: 'select sqlite_version()'
  " >"$LOGS/sqlite-build.log" 2>&1 || fail_log "SQLite build" "$LOGS/sqlite-build.log"
  printf '%s\n' "$SQLITE_RECIPE" >"$ROOT$SQLITE_PREFIX/$STAMP"
fi

# 3b. Python 3.11 from Debian's python3.11 source package, with its patches, built here, its
# sqlite3 module linked to $SQLITE_PREFIX (found there through a run path at build and test
# time; in the bundle PyInstaller collects that libsqlite3 next to the other libraries).
if [ "$(cat "$ROOT$PREFIX/$STAMP" 2>/dev/null)" != "$PYTHON_RECIPE" ] \
  || ! in_root "$PREFIX/bin/python3.11 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, pyexpat, _elementtree, _decimal'" 2>/dev/null; then
  step "apt-get source python3.11 (bookworm) and build it (./configure --enable-shared; make)"
  in_root "
    rm -rf /build/python && mkdir -p /build/python && cd /build/python
    # bookworm-security's newer revision first; some mirrors lack its source files.
    apt-get source --only-source python3.11 || {
      echo 'bookworm-security python3.11 source not fetchable here; using bookworm main'
      rm -rf /build/python/*
      apt-get source --only-source python3.11/bookworm
    }
    cd python3.11-*/
    # Debian builds pyexpat into libpython; its CVE-2026-4224 patch includes a core header
    # that a shared pyexpat module (this build) may only include as a core module, as
    # upstream's 3.12 pyexpat.c declares itself:
    grep -q Py_BUILD_CORE_MODULE Modules/pyexpat.c \
      || sed -i '1i #ifndef Py_BUILD_CORE_BUILTIN\n#  define Py_BUILD_CORE_MODULE 1\n#endif' Modules/pyexpat.c
    ./configure --prefix=$PREFIX --enable-shared --with-ensurepip=no \
      LDFLAGS='-Wl,-rpath,$PREFIX/lib' \
      LIBSQLITE3_CFLAGS='-I$SQLITE_PREFIX/include' \
      LIBSQLITE3_LIBS='-L$SQLITE_PREFIX/lib -Wl,-rpath,$SQLITE_PREFIX/lib -lsqlite3'
    grep -q '^#define PY_SQLITE_HAVE_SERIALIZE 1' pyconfig.h
    make -j\$(nproc)
    rm -rf $PREFIX
    make install
  " >"$LOGS/python-build.log" 2>&1 || fail_log "Python build" "$LOGS/python-build.log"
  # Its sqlite3 module uses that SQLite, deserialize included.
  in_root "
    ldd $PREFIX/lib/python3.11/lib-dynload/_sqlite3.*.so | grep -F '$SQLITE_PREFIX/lib/libsqlite3.so.0'
    $PREFIX/bin/python3.11 -c 'import sqlite3; sqlite3.connect(\":memory:\").deserialize; assert sqlite3.sqlite_version_info >= ($(echo $MIN_SQLITE | tr . ,),), sqlite3.sqlite_version'
  " >>"$LOGS/python-build.log" 2>&1 || fail_log "Python's sqlite3 module check" "$LOGS/python-build.log"
  printf '%s\n' "$PYTHON_RECIPE" >"$ROOT$PREFIX/$STAMP"
fi
# Debug symbols out of libpython and the extension modules (-g is in Python's default flags):
# about 30 MB less in the bundle. Harmless to repeat.
in_root "find $PREFIX/lib -type f -name '*.so*' -exec strip --strip-debug {} +"
in_root "echo \"Python \$($PREFIX/bin/python3.11 -c 'import sys; print(sys.version.split()[0])') from \$(cd /build/python && ls *.dsc)\""
sqlite_version=$(in_root "$PREFIX/bin/python3.11 -c 'import sqlite3; sqlite3.connect(\":memory:\").deserialize; print(sqlite3.sqlite_version)'")
in_root "echo \"SQLite $sqlite_version from \$(cd /build/sqlite && ls *.dsc) in $SQLITE_PREFIX (Python's sqlite3 module: Connection.deserialize)\""

# 4. The project as committed, a clean venv with only the runtime deps and PyInstaller.
step "copy the project (git archive HEAD: $(git -C "$REPO" rev-parse --short HEAD)) to /src"
rm -rf "$ROOT/src"
mkdir -p "$ROOT/src"
git -C "$REPO" archive --format=tar HEAD | tar -x -C "$ROOT/src"
step "venv with PySide6 $PYSIDE_VERSION and PyInstaller"
in_root "
  rm -rf /venv/build
  $PREFIX/bin/python3.11 -m venv /venv/build
  /venv/build/bin/python -m pip install --upgrade pip
  /venv/build/bin/python -m pip install --only-binary=PySide6-Essentials,shiboken6 \
    'PySide6-Essentials==$PYSIDE_VERSION' '/src[build]'
" >"$LOGS/pip-build.log" 2>&1 || fail_log "pip install (build venv)" "$LOGS/pip-build.log"
in_root "/venv/build/bin/python -m pip list 2>/dev/null | grep -iE '^(pyside6[-_]essentials|shiboken6|pyinstaller) '"

# 5. The bundle, exactly as README 打包 and .ci/run build it.
step "pyinstaller build.spec"
in_root "cd /src && mkdir -p build && /venv/build/bin/pyinstaller --noconfirm --log-level WARN build.spec" \
  >"$LOGS/pyinstaller.log" 2>&1 || fail_log PyInstaller "$LOGS/pyinstaller.log"
# Warnings, less those about the GTK 3 theme plugin's libraries (build.spec leaves it out).
grep -v -E "could not resolve .*libqgtk3\.so'" "$LOGS/pyinstaller.log" || true

# The bundle's SQLite: exactly one libsqlite3, the one built above (its version, deserialize,
# the compile options that matter), next to the build Python's own sqlite3 module.
cat >"$ROOT/tmp/bundle-sqlite.py" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.sqlite3_libversion.restype = ctypes.c_char_p
version = lib.sqlite3_libversion().decode()
problems = []
if tuple(map(int, version.split("."))) < tuple(map(int, sys.argv[2].split("."))):
    problems.append(f"older than {sys.argv[2]}")
if not hasattr(lib, "sqlite3_serialize"):
    problems.append("no sqlite3_serialize")
wanted = ["ENABLE_FTS3", "ENABLE_FTS4", "ENABLE_FTS5", "ENABLE_RTREE", "ENABLE_COLUMN_METADATA"]
problems += [f"not {n}" for n in wanted if not lib.sqlite3_compileoption_used(n.encode())]
if lib.sqlite3_compileoption_used(b"SECURE_DELETE"):
    problems.append("SECURE_DELETE on")
if problems:
    sys.exit(f"{sys.argv[1]}: SQLite {version}: " + ", ".join(problems))
print(f"SQLite {version}: sqlite3_serialize, FTS3/4/5, RTREE, COLUMN_METADATA, SECURE_DELETE off")
EOF
bundle_sqlite=$(in_root "
  cd /src/dist/BranchDesk
  libs=\$(find . -name 'libsqlite3.so*')
  [ \"\$(echo \$libs | wc -w)\" = 1 ] || { echo \"not one libsqlite3 in the bundle: \$libs\"; exit 1; }
  cmp \$(find . -name '_sqlite3.*.so') $PREFIX/lib/python3.11/lib-dynload/_sqlite3.*.so
  echo \"\${libs#./}: \$($PREFIX/bin/python3.11 /tmp/bundle-sqlite.py \$libs $MIN_SQLITE)\"
") || { echo "the bundle's SQLite: $bundle_sqlite" >&2; exit 1; }

# The frozen self-test, with /opt (the build Python and SQLite) hidden as on a user's machine;
# the dynamic loader's log tells which libsqlite3 the frozen app really loaded.
step "frozen --self-test inside the Debian 11 root (offscreen, /opt hidden)"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$ROOT/opt"
rm -f "$ROOT"/tmp/ld-debug.*
selftest_out=$(in_root "cd /tmp && QT_QPA_PLATFORM=offscreen LD_DEBUG=libs LD_DEBUG_OUTPUT=/tmp/ld-debug \
  timeout 120 /src/dist/BranchDesk/BranchDesk --self-test 2>/tmp/selftest.err") || {
  echo "frozen self-test failed: $selftest_out" >&2; cat "$ROOT/tmp/selftest.err" >&2; exit 1; }
echo "$selftest_out"
case "$selftest_out" in *"BranchDesk 自检通过："*) ;; *) echo "self-test line missing" >&2; exit 1 ;; esac
loaded_sqlite=$(cat "$ROOT"/tmp/ld-debug.* 2>/dev/null \
  | sed -n 's/.*calling init: \(.*libsqlite3[^ ]*\).*/\1/p' | sort -u || true)
ldd_sqlite=$(in_root "cd /src/dist/BranchDesk/_internal && LD_LIBRARY_PATH=\$PWD ldd \$(find . -name '_sqlite3.*.so') | sed -n 's/^[[:space:]]*\\(libsqlite3.*\\) (0x.*/\\1/p'" || true)
umount "$ROOT/opt"
rm -f "$ROOT"/tmp/ld-debug.*
echo "bundle: $bundle_sqlite"
echo "frozen app loaded: ${loaded_sqlite:-no libsqlite3}; ldd on its _sqlite3: $ldd_sqlite"
[ "$loaded_sqlite" = /src/dist/BranchDesk/_internal/libsqlite3.so.0 ] || {
  echo "the frozen app did not load the bundle's own libsqlite3" >&2; exit 1; }

bundle_glibc=$(in_root "cd /src && find dist/BranchDesk -type f \( -name '*.so*' -o -name BranchDesk \) -exec objdump -T {} + 2>/dev/null \
  | grep -oE 'GLIBC_[0-9]+\.[0-9]+(\.[0-9]+)?' | sed 's/GLIBC_//' | sort -uV | tail -n 1")
highest=$(printf '%s\n%s\n' "$bundle_glibc" "$MAX_GLIBC" | sort -V | tail -n 1)
rm -rf "$WORK/dist"
mkdir -p "$WORK/dist"
cp -a "$ROOT/src/dist/BranchDesk" "$WORK/dist/"
echo "bundle size: $(du -sh "$WORK/dist/BranchDesk" | cut -f1) ($WORK/dist/BranchDesk, $(find "$WORK/dist/BranchDesk" -type f | wc -l) files); needs glibc >= $bundle_glibc"
if [ -z "$bundle_glibc" ] || [ "$highest" != "$MAX_GLIBC" ]; then
  echo "the bundle needs glibc $bundle_glibc, more than $MAX_GLIBC" >&2; exit 1
fi

# 6. The test suite, once, in the same root against the same PySide6.
if [ "$RUN_TESTS" = 1 ]; then
  step "test suite in the Debian 11 root with PySide6 $PYSIDE_VERSION"
  in_root "
    rm -rf /venv/test
    $PREFIX/bin/python3.11 -m venv /venv/test
    /venv/test/bin/python -m pip install --upgrade pip
    /venv/test/bin/python -m pip install --only-binary=PySide6-Essentials,shiboken6 \
      'PySide6-Essentials==$PYSIDE_VERSION' -e '/src[test]'
  " >"$LOGS/pip-test.log" 2>&1 || fail_log "pip install (test venv)" "$LOGS/pip-test.log"
  tests_rc=0
  in_root "cd /src && QT_QPA_PLATFORM=offscreen /venv/test/bin/python -m pytest -q -p no:cacheprovider" \
    >"$LOGS/pytest.log" 2>&1 || tests_rc=$?
  if [ "$tests_rc" != 0 ]; then
    grep -E '^(FAILED|ERROR) ' "$LOGS/pytest.log" >&2 || true
    fail_log "test suite (PySide6 $PYSIDE_VERSION)" "$LOGS/pytest.log"
  fi
  echo "tests (PySide6 $PYSIDE_VERSION, SQLite $sqlite_version): $(tail -n 1 "$LOGS/pytest.log")"
fi
echo "done in $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s; bundle: $WORK/dist/BranchDesk"
