#!/bin/sh
# OS packages the project needs (Debian): WeasyPrint's libraries and fonts, Chromium for browser tests,
# poppler for reading PDFs in tests, ffmpeg/ffprobe for dealer-case videos (checks and poster frames).
# Installs only what is missing; needs root (or sudo) when it does.
set -e
missing=""
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium chromium-driver gettext ffmpeg; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
# Debian's own Python needs its venv module packaged separately (pyenv builds have it).
PY=$(command -v python3.11 || command -v python3)
"$PY" -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
[ -z "$missing" ] && exit 0
echo "Installing OS packages:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
