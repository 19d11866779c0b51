#!/usr/bin/env bash
# Runs every test of HmacPortal on a clean Debian 12 machine with the .NET 10 SDK.
# Installs what the tests need (Debian packages), builds with warnings as errors, runs the unit,
# HTTP, component, process and browser tests, and ends with the line "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests run for real: each test starts its own server of them on loopback,
# with its data in a temp directory, and stops it at the end.
packages=(chromium clamav-daemon postgresql redis-server nginx)

tools/install-packages.sh "${packages[@]}"

# The real tus client the resumable-upload tests drive, pinned by package-lock.json.
for attempt in 1 2 3; do
  if npm ci --prefix HmacPortal.Tests/TusClient --no-audit --no-fund --loglevel=error; then
    break
  fi
  [ "$attempt" -eq 3 ] && { echo "npm ci failed" >&2; exit 1; }
  echo "npm ci failed (attempt $attempt); retrying in 10 s" >&2
  sleep 10
done

# The idle-connection test holds a few thousand sockets open in the test and server processes.
ulimit -n 65536 2>/dev/null || ulimit -n 16384 2>/dev/null || true

results=TestResults
rm -rf "$results"
dotnet build HmacPortal.sln --nologo -v quiet -clp:ErrorsOnly

status=0
for project in HmacPortal.Tests HmacPortal.E2E; do
  dotnet test "$project" --no-build --nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" || status=$?
done

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
  f=$(echo "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit "$status"
