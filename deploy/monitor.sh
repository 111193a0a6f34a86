#!/usr/bin/env bash
# Create the pg_auto_failover monitor on the third machine (run as postgres).
#
#   MONITOR_HOST=10.0.0.3 bash deploy/monitor.sh
#
# It keeps the formation's state and decides failovers; it holds no ledger data.
# Afterwards: deploy/systemd/pgautofailover.service runs it, and
# deploy/monitor-settings.sql shortens its health checks.
set -euo pipefail
: "${MONITOR_HOST:?the address the nodes reach the monitor at}"
PGDATA="${PGDATA:-/var/lib/postgresql/15/monitor}"
PGPORT="${PGPORT:-5432}"
export PATH="/usr/lib/postgresql/15/bin:$PATH"

pg_autoctl create monitor \
    --pgdata "$PGDATA" \
    --pgport "$PGPORT" \
    --hostname "$MONITOR_HOST" \
    --auth scram-sha-256 \
    --ssl-self-signed
# With scram-sha-256 the nodes log in as autoctl_node with a password:
#   psql -p "$PGPORT" -d pg_auto_failover -c "ALTER USER autoctl_node PASSWORD '...'"
# and the URI below, with that password in it, is the nodes' MONITOR_URI.
pg_autoctl show uri --pgdata "$PGDATA"
