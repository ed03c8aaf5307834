#!/bin/sh
# Make a Docker engine with BuildKit reachable through /usr/bin/docker, installing and
# starting one when needed. Idempotent: an engine that already answers is used as it is.
#
# Usage: scripts/e2e/ensure-docker.sh
#   Prints one line on stdout: "reused" when an engine already answered, or
#   "started <pid>" when this script started dockerd (the caller stops that pid when done).
# Needs: Debian with apt, run as root when docker.io is not yet installed.
# Env:   DRYDOCK_DOCKERD_LOG  where a started dockerd logs (default /tmp/drydock-dockerd.log)
set -eu

log=${DRYDOCK_DOCKERD_LOG:-/tmp/drydock-dockerd.log}
# Debian's docker.io client: the /usr/local/bin client some images ship has no buildx,
# and with DOCKER_BUILDKIT=1 it refuses to build.
docker=/usr/bin/docker

say() { echo "ensure-docker: $*" >&2; }

if [ -x "$docker" ] && "$docker" info >/dev/null 2>&1; then
  echo reused
  exit 0
fi

if [ ! -x "$docker" ] || ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    say "docker.io is not installed and installing it needs root (found uid $(id -u)); run: sudo apt-get install -y docker.io"
    exit 1
  fi
  say "installing docker.io with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends docker.io >&2
fi

if [ "$(id -u)" != 0 ]; then
  say "no Docker engine answers at $docker and starting dockerd needs root (found uid $(id -u))"
  exit 1
fi

say "starting dockerd (log: $log)"
# setsid: the engine must outlive this script and must not receive the caller's terminal signals.
setsid dockerd >"$log" 2>&1 </dev/null &
pid=$!

tries=0
until "$docker" info >/dev/null 2>&1; do
  tries=$((tries + 1))
  if ! kill -0 "$pid" 2>/dev/null; then
    say "dockerd exited during start-up; last lines of $log:"
    tail -n 20 "$log" >&2
    exit 1
  fi
  if [ "$tries" -ge 60 ]; then
    say "dockerd did not answer within 30 s; last lines of $log:"
    tail -n 20 "$log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done

echo "started $pid"
