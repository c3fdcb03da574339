#!/usr/bin/env bash
# Install the Debian packages Spreekkamer needs, only those missing. Safe to run again.
set -euo pipefail
PACKAGES=(
  python3 python3-venv python3-dev build-essential pkg-config
  mosquitto mosquitto-clients openssl
  postgresql
  espeak-ng sox
  portaudio19-dev libsystemd-dev libasound2-plugins pulseaudio pulseaudio-utils
  chromium fonts-dejavu-core poppler-utils systemd
  libreoffice-writer-nogui  # soffice: the tests open exported ODT documents with LibreOffice
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches axe-core for the browser tests. A machine with another Node.js build (NodeSource's
# nodejs carries its own npm and conflicts with Debian's npm package) keeps the one it has.
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# The broker is started by us on a loopback port, not as the system service. PostgreSQL's own
# service may stay: our clusters listen on a Unix socket in their own folder, not on its port.
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
  $SUDO systemctl disable --now mosquitto || true
fi
