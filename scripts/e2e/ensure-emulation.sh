#!/bin/sh
# Make this machine run linux/arm64 programs through QEMU user emulation, in containers too:
# Debian's qemu-user-static, registered with binfmt_misc as qemu-aarch64 with the F (fix-binary)
# flag, so the kernel opens the emulator once at registration and any mount namespace (a
# container, an mmdebstrap chroot) runs arm64 binaries without a copy of it inside. Idempotent: a
# working handler with that flag is used as it is.
#
# Usage: scripts/e2e/ensure-emulation.sh
#   Prints one line on stdout: "native" on an arm64 machine, "reused" when a working qemu-aarch64
#   handler with the F flag was registered already, or "registered" when this script registered it.
#   Exits 1 naming what is missing (and what to run) when it cannot.
# Needs: Debian with apt; root to install packages, mount binfmt_misc or register the handler.
# Also installs arch-test: mmdebstrap runs it to decide that a foreign-architecture chroot needs
# (and has) emulation.
set -eu

binfmt=/proc/sys/fs/binfmt_misc
entry=$binfmt/qemu-aarch64
# Debian's registration of qemu-user-static: magic and mask of an aarch64 ELF executable, the
# interpreter (a link to /usr/bin/qemu-aarch64-static) and its flags (OPF).
conf=/usr/lib/binfmt.d/qemu-aarch64.conf
qemu=/usr/bin/qemu-aarch64-static

say() { echo "ensure-emulation: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

case "$(uname -m)" in
  aarch64 | arm64)
    echo native
    exit 0
    ;;
esac

# A 132-byte static aarch64 ELF executable: exit(42) (movz x0,#42; movz x8,#93 (exit); svc #0).
# Exit status 42 proves the kernel handed an arm64 binary to a working emulator.
probe() {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/ensure-emulation.XXXXXX")
  printf '\177\105\114\106\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000\170\000\100\000\000\000\000\000\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\100\000\070\000\001\000\000\000\000\000\000\000\001\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000\000\000\100\000\000\000\000\000\000\000\100\000\000\000\000\000\204\000\000\000\000\000\000\000\204\000\000\000\000\000\000\000\000\020\000\000\000\000\000\000\100\005\200\322\250\013\200\322\001\000\000\324' >"$dir/exit42"
  chmod 0755 "$dir/exit42"
  status=0
  "$dir/exit42" 2>/dev/null || status=$?
  rm -rf "$dir"
  [ "$status" = 42 ]
}

has_fix_binary() {
  [ -r "$entry" ] && grep -qx enabled "$entry" && grep -q '^flags: .*F' "$entry"
}

if has_fix_binary && probe; then
  echo reused
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  missing=""
  [ -e "$binfmt/register" ] || missing="$missing binfmt_misc is not mounted at $binfmt;"
  [ -x "$qemu" ] || missing="$missing qemu-user-static is not installed ($qemu);"
  if [ ! -e "$entry" ]; then
    missing="$missing no qemu-aarch64 handler is registered in $binfmt;"
  elif ! has_fix_binary; then
    missing="$missing the qemu-aarch64 handler is disabled or lacks the F (fix-binary) flag ($(grep '^flags' "$entry" 2>/dev/null || echo 'no flags line'));"
  else
    missing="$missing the registered qemu-aarch64 handler does not run an arm64 binary;"
  fi
  fail "cannot run linux/arm64 programs:$missing fixing that needs root (found uid $(id -u)); run: sudo $0"
fi

if [ ! -e "$binfmt/register" ]; then
  say "mounting binfmt_misc at $binfmt"
  mount -t binfmt_misc binfmt_misc "$binfmt" ||
    fail "cannot mount binfmt_misc at $binfmt: the kernel lacks CONFIG_BINFMT_MISC, or this namespace (an unprivileged container) may not mount it"
fi

packages=""
[ -x "$qemu" ] && [ -r "$conf" ] || packages="qemu-user-static"
command -v arch-test >/dev/null 2>&1 || packages="$packages arch-test"
if [ -n "$packages" ]; then
  say "installing$(printf ' %s' $packages) with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Without recommends: qemu-user-static recommends systemd, which is not wanted here; this
  # script registers the handler itself.
  # shellcheck disable=SC2086 # a list of package names
  apt-get install -y -qq --no-install-recommends $packages >&2 || {
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends $packages >&2
  } || fail "apt-get install$(printf ' %s' $packages) failed; see the apt output above"
fi
[ -x "$qemu" ] || fail "qemu-user-static is installed but $qemu is missing; reinstall it: apt-get install --reinstall qemu-user-static"
[ -r "$conf" ] || fail "qemu-user-static is installed but $conf is missing; reinstall it: apt-get install --reinstall qemu-user-static"

line=$(grep '^:qemu-aarch64:' "$conf") || fail "$conf holds no :qemu-aarch64: line"
case "${line##*:}" in
  *F*) ;;
  *) fail "$conf registers qemu-aarch64 with flags '${line##*:}', without F (fix-binary): containers would not find the emulator" ;;
esac

if [ -e "$entry" ]; then
  say "replacing the qemu-aarch64 handler registered before: $(grep -E '^(interpreter|flags)' "$entry" | tr '\n' ' ')"
  echo -1 >"$entry"
fi
say "registering: $line"
printf '%s\n' "$line" >"$binfmt/register" || fail "writing to $binfmt/register failed: $line"

has_fix_binary || fail "registered qemu-aarch64, but $entry does not show it enabled with the F flag: $(tr '\n' ' ' <"$entry")"
probe || fail "registered qemu-aarch64 ($(tr '\n' ' ' <"$entry")), but an arm64 test binary still does not run"
echo registered
