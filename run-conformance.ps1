# Thin wrapper over the `conformance` CLI; the twin of run-conformance.sh (tested through it: no pwsh on CI).
# With no arguments, or options only, it runs the suite against the embedded reference implementations.
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error 'run-conformance.ps1: the .NET SDK 10 (dotnet) is required: https://dot.net'
    exit 2
}
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$rest = @($args)
if ($rest.Count -eq 0 -or "$($rest[0])".StartsWith('--')) { $rest = @('run') + $rest }
& dotnet run --project (Join-Path $here 'conformance/Conformance.Cli') -c Release -- @rest
exit $LASTEXITCODE
