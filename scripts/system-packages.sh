#!/usr/bin/env bash
# The Debian packages the product needs, installed in one place.
#
#   scripts/system-packages.sh run    what `make run` needs: Python with venv, make,
#                                     the CJK font the PDF reports embed
#   scripts/system-packages.sh test   what `make test` needs besides: Chromium for the
#                                     browser tests, the PostgreSQL client and server
#                                     tools (pg_dump for the backup test, initdb and
#                                     pg_ctl for the scratch clusters of crash tests),
#                                     pg_auto_failover (the pg_autoctl command and its
#                                     server extension) for the failover test,
#                                     pgBackRest for the point-in-time restore test
#
# Called by the Makefile's `run` and `test` targets and by .ci/run. When
# everything is there it says nothing and costs a few file checks. When a
# package is missing it installs it if it runs as root on a machine with
# apt-get; otherwise it stops at once (exit 1) with the one command to run,
# so nobody meets a screen of failing tests instead.
set -euo pipefail

profile="${1:-test}"
case "$profile" in
run | test) ;;
*)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac

missing=()
need() { # need PACKAGE: when the check that called it failed
    case " ${missing[*]-} " in *" $1 "*) ;; *) missing+=("$1") ;; esac
}
has() { command -v "$1" >/dev/null 2>&1; }

has python3 || need python3
python3 -c 'import venv, ensurepip' 2>/dev/null || need python3-venv
has make || need make
# reports/fonts.py: ReportLab embeds TrueType outlines only, which this font has.
[ -n "${LEDGER_CJK_FONT:-}" ] || [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] ||
    need fonts-wqy-zenhei

if [ "$profile" = test ]; then
    # Playwright drives Debian's Chromium; it never downloads a browser.
    [ -x /usr/bin/chromium ] || need chromium
    has pg_dump || need postgresql-client
    has pg_isready || need postgresql-client
    # initdb and pg_ctl live in the versioned server directory, not on PATH.
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need postgresql
    # tests/ha/: a monitor, a primary and a standby under pg_auto_failover (deploy/).
    has pg_autoctl || need pg-auto-failover-cli
    # The monitor's extension, built for Debian's server (PostgreSQL 15).
    [ -f /usr/lib/postgresql/15/lib/pgautofailover.so ] || need postgresql-15-auto-failover
    # tests/ha/test_pitr.py: base backup, WAL archive and restore (deploy/pgbackrest.conf).
    has pgbackrest || need pgbackrest
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && has apt-get; then
    echo "Installing the Debian packages the ledger needs: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has no package lists yet; an old list may name gone versions.
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi

echo "Missing Debian packages (${missing[*]}). Run this once, then try again:" >&2
echo "    sudo apt-get install -y ${missing[*]}" >&2
exit 1
