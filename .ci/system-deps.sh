#!/usr/bin/env bash
# System packages the tests and the demo need beyond Python: a headless browser and its driver for the
# page tests, poppler for reading rendered PDFs, a Chinese font for screenshots and documents, and
# LibreOffice Writer to check that DOCX digests open in the office suite users file them in.
# Installs only what is missing; needs root (or prints the command to run).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)  # DOCX digests are checked in LibreOffice
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
