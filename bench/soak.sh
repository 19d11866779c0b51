#!/usr/bin/env bash
# Runs the soak: a long mixed load on one HmacPortal (Release build) on loopback, recording
# memory, file descriptors, threads, temp files and latency; fails if any of them keeps growing
# or a request fails unexpectedly. Usage: bench/soak.sh [minutes, default 10] [clients, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build HmacPortal/HmacPortal.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/HmacPortal.Bench/HmacPortal.Bench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), dotnet $(dotnet --version)"
dotnet bench/HmacPortal.Bench/bin/Release/net10.0/HmacPortal.Bench.dll soak HmacPortal/bin/Release/net10.0/HmacPortal.dll "${1:-10}" "${2:-16}"
