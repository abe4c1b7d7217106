#!/usr/bin/env bash
# Build the one-folder Linux bundle for older glibc (see README 打包, 旧版 glibc).
#
#   sudo packaging/build-old-glibc.sh WORKDIR [--skip-tests]
#
# Inside WORKDIR (outside the repository; kept between runs, so a second run reuses it):
#   root/   a Debian 11 "bullseye" root (glibc 2.31) made with debootstrap --variant=minbase
#   dist/   the finished bundle, dist/BranchDesk/
#   logs/   the long logs of every step
# In that root: Python 3.11 built from Debian's own python3.11 source package (bookworm's,
# fetched with apt-get source, built with bullseye's toolchain as a shared library for
# PyInstaller), PySide6 $PYSIDE_VERSION (the newest PySide6 whose x86_64 wheels are
# manylinux_2_28; 6.10 and later need glibc 2.34), PyInstaller, then build.spec, the frozen
# --self-test, the glibc the bundle needs (it must be <= 2.31) and its size. Unless
# --skip-tests, the project's test suite then runs once in that root against the same PySide6.
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
BUILD_DEPS="build-essential pkg-config dpkg-dev ca-certificates binutils libssl-dev libffi-dev
  zlib1g-dev libsqlite3-dev libbz2-dev liblzma-dev libreadline-dev libncursesw5-dev uuid-dev"
QT_LIBS="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-xinerama0
  libwayland-client0 libwayland-cursor0 libwayland-egl1 libcups2"
step "apt-get install build and Qt runtime packages (bullseye)"
in_root "apt-get update -q && apt-get install -y -q --no-install-recommends $(echo $BUILD_DEPS $QT_LIBS)" \
  >"$LOGS/apt.log" 2>&1 || fail_log "apt-get install" "$LOGS/apt.log"
# The host's local CA certificates (a company's TLS proxy, say), trusted in the root as well.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  in_root "update-ca-certificates >/dev/null 2>&1"
fi
in_root "ldd --version | sed -n 1p; echo \"SQLite \$(dpkg-query -W -f='\${Version}' libsqlite3-0)\""

# 3. Python 3.11 from Debian's python3.11 source package, with its patches, built here.
if ! in_root "$PREFIX/bin/python3.11 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, pyexpat, _elementtree, _decimal'" 2>/dev/null; then
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
      LDFLAGS='-Wl,-rpath,$PREFIX/lib'
    make -j\$(nproc)
    rm -rf $PREFIX
    make install
  " >"$LOGS/python-build.log" 2>&1 || fail_log "Python build" "$LOGS/python-build.log"
fi
# Debug symbols out of libpython and the extension modules (-g is in Python's default flags):
# about 30 MB less in the bundle. Harmless to repeat.
in_root "find $PREFIX/lib -type f -name '*.so*' -exec strip --strip-debug {} +"
in_root "echo \"Python \$($PREFIX/bin/python3.11 -c 'import sys; print(sys.version.split()[0])') from \$(cd /build/python && ls *.dsc)\""

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
  /venv/build/bin/python -m pip install --only-binary=PySide6-Essentials,PySide6-Addons,shiboken6 \
    'PySide6-Essentials==$PYSIDE_VERSION' 'PySide6-Addons==$PYSIDE_VERSION' '/src[build]'
" >"$LOGS/pip-build.log" 2>&1 || fail_log "pip install (build venv)" "$LOGS/pip-build.log"
in_root "/venv/build/bin/python -m pip list 2>/dev/null | grep -iE '^(pyside6[-_]essentials|pyside6[-_]addons|shiboken6|pyinstaller) '"

# 5. The bundle, exactly as README 打包 and .ci/run build it.
step "pyinstaller build.spec"
in_root "cd /src && mkdir -p build && /venv/build/bin/pyinstaller --noconfirm --log-level WARN build.spec" \
  >"$LOGS/pyinstaller.log" 2>&1 || fail_log PyInstaller "$LOGS/pyinstaller.log"
# Warnings, less those about the GTK 3 theme plugin's libraries (build.spec leaves it out).
grep -v -E "could not resolve .*libqgtk3\.so'" "$LOGS/pyinstaller.log" || true

step "frozen --self-test inside the Debian 11 root (offscreen)"
selftest_out=$(in_root "cd /tmp && QT_QPA_PLATFORM=offscreen timeout 120 /src/dist/BranchDesk/BranchDesk --self-test 2>/tmp/selftest.err") || {
  echo "frozen self-test failed: $selftest_out" >&2; cat "$ROOT/tmp/selftest.err" >&2; exit 1; }
echo "$selftest_out"
case "$selftest_out" in *"BranchDesk 自检通过："*) ;; *) echo "self-test line missing" >&2; exit 1 ;; esac

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
    /venv/test/bin/python -m pip install --only-binary=PySide6-Essentials,PySide6-Addons,shiboken6 \
      'PySide6-Essentials==$PYSIDE_VERSION' 'PySide6-Addons==$PYSIDE_VERSION' -e '/src[test]'
  " >"$LOGS/pip-test.log" 2>&1 || fail_log "pip install (test venv)" "$LOGS/pip-test.log"
  tests_rc=0
  in_root "cd /src && QT_QPA_PLATFORM=offscreen /venv/test/bin/python -m pytest -q -p no:cacheprovider" \
    >"$LOGS/pytest.log" 2>&1 || tests_rc=$?
  if [ "$tests_rc" != 0 ]; then
    grep -E '^(FAILED|ERROR) ' "$LOGS/pytest.log" >&2 || true
    fail_log "test suite (PySide6 $PYSIDE_VERSION)" "$LOGS/pytest.log"
  fi
  echo "tests (PySide6 $PYSIDE_VERSION): $(tail -n 1 "$LOGS/pytest.log")"
fi
echo "done in $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s; bundle: $WORK/dist/BranchDesk"
