#!/usr/bin/env bash
# The nightly full backup; systemd/ledger-backup.timer runs it on both database
# machines, as postgres. Only the node that is primary now takes it (pgBackRest
# backs up a primary); on the standby it says so and does nothing.
#
#   bash deploy/backup.sh
#
# Exit status non-zero when the backup failed: systemd shows the unit failed.
set -euo pipefail
STANZA="${STANZA:-ledger}"

if [ "$(psql -XAtc 'SELECT pg_is_in_recovery()' -d postgres)" != f ]; then
    echo "this node is a standby now: the primary takes the backup"
    exit 0
fi
pgbackrest --stanza="$STANZA" --type=full backup
pgbackrest --stanza="$STANZA" info
