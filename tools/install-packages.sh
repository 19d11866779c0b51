#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet.
# Used by test.sh (the servers the tests run for real) and bench/run.sh (the reference nginx).
# A clean machine may have no package lists yet, another apt run (unattended upgrades, a first-boot
# job) may hold the dpkg lock, and a mirror may fail now and then: so it refreshes the lists, waits
# for the lock, and retries.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]} ..."
apt() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }
for attempt in 1 2 3 4 5; do
  if apt update -qq && apt install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
  fi
  echo "apt-get failed (attempt $attempt); retrying in 10 s" >&2
  sleep 10
done
echo "could not install ${missing[*]}" >&2
exit 1
