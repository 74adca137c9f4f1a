#!/usr/bin/env bash
# Make sure PostgreSQL, which the store tests need, is up; start it if it is installed but stopped.
# Nothing is skipped silently: if PostgreSQL cannot be reached, the suite fails.
set -uo pipefail

# Chromium for the report's browser test is installed by its own step: .ci/browsers.sh (make browsers).

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
