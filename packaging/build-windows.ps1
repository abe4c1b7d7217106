# Build the Windows one-folder bundle of BranchDesk and zip it.
#
# Run on a 64-bit Windows 10 (1809+) or 11 machine with 64-bit Python 3.10+ from python.org
# (tick "Add python.exe to PATH"), in PowerShell, from the repository root:
#
#     powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
#
# It makes a fresh virtual environment, builds the wheel, installs it with PyInstaller
# (the "build" extra), freezes build.spec, runs the frozen self-test headless and writes
# dist\BranchDesk-<version>-windows-x64.zip. Any failing step stops the script.
# NOTE: this script has not yet been run on Windows (there is no Windows machine where
# BranchDesk is developed); report what it prints if a step fails.

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$root = Resolve-Path (Join-Path $PSScriptRoot "..")
Set-Location $root

function Step([string]$text) { Write-Host "==> $text" -ForegroundColor Cyan }
function Run([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

Step "Python"
$python = (Get-Command py -ErrorAction SilentlyContinue)
if ($python) { $py = "py"; $pyArgs = @("-3") } else { $py = "python"; $pyArgs = @() }
$bits = & $py @pyArgs -c "import struct, sys; print(struct.calcsize('P') * 8, sys.version_info >= (3, 10))"
if ($bits -ne "64 True") { throw "需要 64 位 Python 3.10 或更高版本（现在：$bits）" }

Step "Fresh virtual environment in build\venv"
if (Test-Path build\venv) { Remove-Item -Recurse -Force build\venv }
if (Test-Path build\wheel) { Remove-Item -Recurse -Force build\wheel }
Run $py ($pyArgs + @("-m", "venv", "build\venv"))
$venvPython = Join-Path $root "build\venv\Scripts\python.exe"
Run $venvPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip")

Step "Wheel (carries resources\: the CJK font and icons)"
Run $venvPython @("-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", "build\wheel", ".")
$wheel = Get-ChildItem build\wheel\branchdesk-*.whl | Select-Object -First 1
Run $venvPython @("-m", "pip", "install", "--quiet", "$($wheel.FullName)[build]")

Step "PyInstaller (build.spec)"
if (Test-Path dist\BranchDesk) { Remove-Item -Recurse -Force dist\BranchDesk }
Run (Join-Path $root "build\venv\Scripts\pyinstaller.exe") @("--noconfirm", "--log-level", "WARN", "build.spec")

Step "Frozen self-test (headless)"
$env:QT_QPA_PLATFORM = "offscreen"
# The exe is a windowed program: its output only arrives through a redirect.
$report = Join-Path $env:TEMP "branchdesk-selftest.txt"
$process = Start-Process -FilePath "dist\BranchDesk\BranchDesk.exe" -ArgumentList "--self-test" `
    -RedirectStandardOutput $report -NoNewWindow -Wait -PassThru
Remove-Item Env:\QT_QPA_PLATFORM
$line = Get-Content $report -Raw
Write-Host $line
# The exit code decides: 0 only when every check passed (the line's encoding follows the
# console code page, so its Chinese may not display correctly here).
if ($process.ExitCode -ne 0) { throw "frozen self-test failed (exit code $($process.ExitCode))" }

Step "Zip"
$version = & $venvPython -c "import branchdesk; print(branchdesk.__version__)"
$zip = "dist\BranchDesk-$version-windows-x64.zip"
if (Test-Path $zip) { Remove-Item -Force $zip }
Compress-Archive -Path dist\BranchDesk -DestinationPath $zip
$size = [math]::Round((Get-Item $zip).Length / 1MB, 1)
$files = (Get-ChildItem -Recurse -File dist\BranchDesk).Count
Write-Host "built $zip ($size MB, $files files)" -ForegroundColor Green
