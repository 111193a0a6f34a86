#!/usr/bin/env bash
# Create a data node on each of the two database machines (run as postgres).
#
#   NODE_HOST=10.0.0.1 NODE_NAME=db1 MONITOR_URI='postgres://autoctl_node@10.0.0.3:5432/pg_auto_failover?sslmode=require' \
#       bash deploy/node.sh
#
# The first node to register becomes the primary; the second clones it
# (pg_basebackup) and becomes its synchronous standby. Both get the ledger's
# database, `ledger`, owned by the `ledger` role the app connects as (create
# it on the primary: createuser --pwprompt ledger; it reaches the standby by
# replication).
set -euo pipefail
: "${NODE_HOST:?the address of this machine, as the other node and the monitor reach it}"
: "${NODE_NAME:?a name for this node (db1, db2)}"
: "${MONITOR_URI:?the URI deploy/monitor.sh printed}"
PGDATA="${PGDATA:-/var/lib/postgresql/15/ha}"
PGPORT="${PGPORT:-5432}"
export PATH="/usr/lib/postgresql/15/bin:$PATH"

pg_autoctl create postgres \
    --pgdata "$PGDATA" \
    --pgport "$PGPORT" \
    --hostname "$NODE_HOST" \
    --name "$NODE_NAME" \
    --dbname ledger \
    --monitor "$MONITOR_URI" \
    --auth scram-sha-256 \
    --ssl-self-signed \
    --replication-quorum true \
    --candidate-priority 50
# A primary cut off from the monitor and the standby demotes itself after this
# many seconds (default 20); deploy/monitor-settings.sql waits longer than it.
pg_autoctl config set --pgdata "$PGDATA" timeout.network_partition_timeout 10
