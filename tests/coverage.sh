#!/usr/bin/env bash
# Coverage of the project's own code by its own tests, on demand (it instruments every assembly and takes a few
# minutes longer than the plain test run, so it is not part of it):
#   tests/coverage.sh            → coverage/html/index.html and coverage/html/Summary.txt (printed at the end)
# coverlet.collector instruments the product assemblies while tests/Conformance.Coverage runs every Expecto list
# in-process; ReportGenerator (a local dotnet tool, .config/dotnet-tools.json) turns the Cobertura XML into HTML.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=coverage
rm -rf "$out"
dotnet tool restore >/dev/null
dotnet test tests/Conformance.Coverage -c Release --settings tests/Conformance.Coverage/coverage.runsettings \
  --collect "XPlat Code Coverage" --results-directory "$out/raw" --logger "console;verbosity=minimal"
dotnet tool run reportgenerator "-reports:$out/raw/*/coverage.cobertura.xml" "-targetdir:$out/html" \
  "-reporttypes:Html;TextSummary" "-title:Conformance suite: coverage of the project's own code" >/dev/null
cat "$out/html/Summary.txt"
echo
echo "coverage report: $out/html/index.html"
