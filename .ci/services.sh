#!/usr/bin/env bash
# Make sure the services the test suite needs are up; start them if they are not.
# Nothing is skipped silently: if PostgreSQL cannot be reached, the suite fails.
set -uo pipefail

# Headless Chromium for the HTML report's browser test (tests/report): Debian's package,
# installed once; skipped when it is already on PATH. Without it that test fails.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "chromium is not installed; installing Debian's package for the report's browser test" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
      || echo "could not install chromium; tests/report/test_report_browser.py will fail" >&2
  else
    echo "no apt-get: install chromium yourself; tests/report/test_report_browser.py will fail without it" >&2
  fi
fi

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
for _ in $(seq 1 30); do
  if pg_up; then echo "PostgreSQL is up on 127.0.0.1:5432" >&2; exit 0; fi
  sleep 1
done
echo "PostgreSQL did not come up on 127.0.0.1:5432; the store tests need it" >&2
exit 1
