#!/usr/bin/env bash
# Builds HmacPortal in Release and runs the benchmark against a private nginx on loopback.
# Usage: bench/run.sh [scale] [rounds] [only]   (scale multiplies the small-file request counts; each
# scenario runs [rounds] times alternating the servers and reports medians; [only], e.g. "1 GiB,tus",
# runs just the scenarios whose names contain one of its comma-separated words)
set -euo pipefail
cd "$(dirname "$0")/.."
# The reference server.
tools/install-packages.sh nginx
dotnet build HmacPortal/HmacPortal.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/DurablePut/DurablePut.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build bench/HmacPortal.Bench/HmacPortal.Bench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), dotnet $(dotnet --version), $(nginx -v 2>&1)"
dotnet bench/HmacPortal.Bench/bin/Release/net10.0/HmacPortal.Bench.dll HmacPortal/bin/Release/net10.0/HmacPortal.dll "${1:-1}" "${2:-3}" ${3:+"$3"}
