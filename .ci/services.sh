#!/usr/bin/env bash
# Make sure the services the tests need are up; start each one that is installed but stopped:
#   PostgreSQL 127.0.0.1:5432  the store tests (marker postgres)
#   RabbitMQ   127.0.0.1:5672  the distributed-scan tests' broker (tests/fleet, marker e2e)
#   Redis      127.0.0.1:6379  the distributed-scan tests' shared rate limits
# Nothing is skipped silently: if a service cannot be reached, this fails.
set -uo pipefail

# Chromium for the report's browser test is installed by its own step: .ci/browsers.sh (make browsers).

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name port seconds
  for _ in $(seq 1 "$3"); do
    if up "$2"; then echo "$1 is up on 127.0.0.1:$2" >&2; return 0; fi
    sleep 1
  done
  echo "$1 did not come up on 127.0.0.1:$2; the tests need it" >&2
  return 1
}

if ! up 5432; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
if ! up 5672; then
  echo "RabbitMQ is not answering on 127.0.0.1:5672; trying to start it" >&2
  if command -v rabbitmq-server >/dev/null 2>&1; then
    rabbitmq-server -detached || true
  fi
fi
if ! up 6379; then
  echo "Redis is not answering on 127.0.0.1:6379; trying to start it" >&2
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
fi

status=0
wait_for PostgreSQL 5432 30 || status=1
wait_for RabbitMQ 5672 90 || status=1  # the Erlang VM takes a while to boot
wait_for Redis 6379 30 || status=1
exit $status
