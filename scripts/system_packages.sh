#!/usr/bin/env bash
# System packages An Toàn uses beside Python: LibreOffice (the PDF of the official reports)
# and poppler (tests render a PDF page to check it is not blank). Installed with apt when
# missing and we may (root, or passwordless sudo); otherwise a note, and everything but the
# PDF downloads still works.
set -uo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get)
else
  echo "Note: install ${need[*]} (apt) for the PDF of the official reports." >&2
  exit 0
fi
"${apt[@]}" update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "${need[@]}" >/dev/null \
  || echo "Note: could not install ${need[*]}; the PDF of the official reports needs them." >&2
exit 0
