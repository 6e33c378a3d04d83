#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (as root), or names them and stops.
set -euo pipefail

declare -A needs=(
  [softhsm2-util]=softhsm2      # PKCS#11 keystore backend tests
  [chromium]=chromium           # browser journeys (Playwright drives Debian's Chromium)
  [xgettext]=gettext            # translation completeness test (makemessages)
  [openssl]=openssl             # outside validator of certificates, CRL and OCSP
  [pdftotext]=poppler-utils     # reading text back out of generated PDFs
)
missing=()
for cmd in "${!needs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need these Debian packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
exit 1
