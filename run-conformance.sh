#!/usr/bin/env bash
# Thin wrapper over the `conformance` CLI (conformance/Conformance.Cli). With no arguments, or options only, it runs
# the suite: `./run-conformance.sh` tests the embedded reference implementations and writes reports/latest/.
# Any other first word is a CLI command: ./run-conformance.sh serve --spec lhs, ./run-conformance.sh list-faults.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-conformance.sh: the .NET SDK 10 (dotnet) is required: https://dot.net" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ $# -eq 0 ] || [[ "$1" == --* ]]; then set -- run "$@"; fi
exec dotnet run --project "$here/conformance/Conformance.Cli" -c Release -- "$@"
