#!/usr/bin/env bash
# `make browsers`: headless Chromium for the HTML report's browser test (tests/report/test_report_browser.py),
# Debian's package through apt. Its own step, so `make test` says what it installs and why; nothing
# happens when chromium is already on PATH. Waits up to 5 minutes for another apt/dpkg run to finish
# instead of failing on the lock. Without chromium that one test fails (it is never skipped).
set -uo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
echo "make browsers: installing Debian's chromium (apt-get) for tests/report/test_report_browser.py" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "make browsers: no apt-get here; install chromium yourself (the browser test fails without it)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "make browsers: not root and no sudo; run as root: apt-get install -y chromium" >&2
    exit 1
  fi
fi
LOCK=(-o DPkg::Lock::Timeout=300)
if $SUDO apt-get "${LOCK[@]}" update -qq >&2 \
  && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${LOCK[@]}" install -y -qq --no-install-recommends chromium >&2; then
  echo "make browsers: chromium installed ($(command -v chromium))" >&2
  exit 0
fi
echo "make browsers: could not install chromium with apt-get; tests/report/test_report_browser.py will fail" >&2
exit 1
