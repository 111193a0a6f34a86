"""A pg_auto_failover formation built from scratch: a monitor, a primary, a synchronous standby.

Each node is a ``pg_autoctl`` process (which starts and watches its own
postgres) on a free loopback port in a temporary directory of its own; the
shared server on 5432 is never touched. The settings are those of
``deploy/`` (a synchronous standby, ``synchronous_commit = on``) with the
health checks shortened so that a failover takes seconds, not the default
half-minute. PostgreSQL refuses to run as root, so under root (CI) the
nodes run as the ``postgres`` user the Debian package created.

`Cluster.kill_primary` is the loss of a whole machine: SIGKILL to the
node's pg_autoctl and its postmaster at once (killing only the postmaster
would have pg_autoctl restart it in place, which is a restart, not a
failover). `Cluster.rejoin` starts the dead node again: it rewinds and
comes back as the new primary's standby.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.server.harness import HOST, free_port

#: The monitor's health checks, shortened from their defaults (5 s period, 20 s
#: until a node is unhealthy, 30 s for a lost primary to demote itself).
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": 1000,
    "pgautofailover.health_check_timeout": 1000,
    "pgautofailover.health_check_max_retries": 1,
    "pgautofailover.health_check_retry_delay": 500,
    "pgautofailover.node_considered_unhealthy_timeout": 3000,
    # Must exceed the keepers' network_partition_timeout: the monitor waits this
    # long for a primary it cannot reach to have demoted itself.
    "pgautofailover.primary_demote_timeout": 5000,
}
#: Each keeper demotes its primary after this many seconds cut off from the
#: monitor and the standby (default 20), so the monitor may wait less.
NETWORK_PARTITION_TIMEOUT_S = 3
DATABASE = "ledger"


def pg_autoctl() -> str:
    """The pg_autoctl command; a missing one fails the test with the line to run."""
    found = shutil.which("pg_autoctl")
    if found is None:
        raise RuntimeError(
            "pg_autoctl is missing: run `bash scripts/system-packages.sh test` "
            "(Debian's pg-auto-failover-cli and postgresql-15-auto-failover)"
        )
    return found


def postgres_bin() -> Path:
    """The server's bin directory (pg_ctl, initdb) of the version pg_auto_failover was built for."""
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / "pg_ctl").exists() and (
            directory.parent / "lib/pgautofailover.so"
        ).exists():
            return directory
    raise RuntimeError(
        "no PostgreSQL server with the pgautofailover extension: run "
        "`bash scripts/system-packages.sh test`"
    )


@dataclass
class Node:
    name: str
    port: int
    pgdata: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def postmaster_pid(self) -> int | None:
        """The pid of this node's live postmaster (never a stale file's reused pid)."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            return None
        return pid if str(self.pgdata).encode() in command else None

    def kill_postmaster(self) -> None:
        pid = self.postmaster_pid()
        if pid is not None:
            with suppress(ProcessLookupError):  # gone meanwhile
                os.kill(pid, signal.SIGKILL)


class Cluster:
    """A monitor and two data nodes (``node1``, ``node2``) under one temporary directory."""

    def __init__(self) -> None:
        self.command = pg_autoctl()
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="ledger-ha-"))
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.monitor = Node(
            "monitor", free_port(), self.root / "monitor", self.root / "monitor.log"
        )
        self.nodes = [
            Node(f"node{i}", free_port(), self.root / f"node{i}", self.root / f"node{i}.log")
            for i in (1, 2)
        ]

    # --- processes ------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        # pg_autoctl keeps its state under XDG_*: here, not in a home directory.
        return {
            **os.environ,
            "PATH": f"{self.bin}:{os.environ.get('PATH', '')}",
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_RUNTIME_DIR": str(self.root / "run"),
        }

    def _as_owner(self) -> dict[str, object]:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def _run(self, node: Node, *args: str, timeout: float = 120) -> None:
        with node.log.open("ab") as log:
            done = subprocess.run(
                [self.command, *args],
                cwd=self.root,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
                **self._as_owner(),  # type: ignore[arg-type]
            )
        if done.returncode != 0:
            raise RuntimeError(f"pg_autoctl {' '.join(args)} failed:\n{self.log_tail(node)}")

    def _start(self, node: Node, *args: str) -> None:
        """Run `pg_autoctl ARGS` as the node's service, in a process group of its own."""
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [self.command, *args],
                cwd=self.root,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self._as_owner(),  # type: ignore[arg-type]
            )

    def log_tail(self, node: Node, lines: int = 30) -> str:
        text = node.log.read_text(errors="replace") if node.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # --- building it ------------------------------------------------------------

    def start(self) -> Cluster:
        self._start(
            self.monitor,
            "create", "monitor",
            "--pgdata", str(self.monitor.pgdata),
            "--pgport", str(self.monitor.port),
            "--hostname", HOST,
            "--auth", "trust",
            "--no-ssl",
            "--run",
        )  # fmt: skip
        self._wait_accepting(self.monitor.port, "pg_auto_failover", within=60)
        with self._connect(self.monitor.port, "pg_auto_failover", user="postgres") as conn:
            conn.autocommit = True
            for name, value in MONITOR_SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = {value}")
            conn.execute("SELECT pg_reload_conf()")
        for node in self.nodes:  # the first becomes the primary, the second its standby
            self._run(
                node,
                "create", "postgres",
                "--pgdata", str(node.pgdata),
                "--pgport", str(node.port),
                "--listen", HOST,
                "--hostname", HOST,
                "--name", node.name,
                "--dbname", DATABASE,
                "--monitor", self.monitor_uri,
                "--auth", "trust",
                "--no-ssl",
                timeout=180,
            )  # fmt: skip
            self._run(
                node,
                "config", "set", "--pgdata", str(node.pgdata),
                "timeout.network_partition_timeout", str(NETWORK_PARTITION_TIMEOUT_S),
            )  # fmt: skip
            self._start(node, "run", "--pgdata", str(node.pgdata))
        self.wait_stable(within=120)
        return self

    @property
    def monitor_uri(self) -> str:
        return (
            f"postgres://autoctl_node@{HOST}:{self.monitor.port}/pg_auto_failover?sslmode=disable"
        )

    @property
    def app_url(self) -> str:
        """The application's URL: both nodes, and only the read-write one will do."""
        hosts = "&".join(f"host={HOST}:{node.port}" for node in self.nodes)
        return (
            f"postgresql+psycopg://postgres@/{DATABASE}?{hosts}"
            "&target_session_attrs=read-write&connect_timeout=2"
        )

    def _connect(self, port: int, dbname: str, user: str) -> psycopg.Connection:
        return psycopg.connect(host=HOST, port=port, dbname=dbname, user=user, connect_timeout=2)

    def _wait_accepting(self, port: int, dbname: str, *, within: float) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                with self._connect(port, dbname, "postgres"):
                    return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"no server on {port}:\n{self.log_tail(self.monitor)}"
                    ) from error
                time.sleep(0.2)

    # --- state ----------------------------------------------------------------

    def states(self) -> dict[str, tuple[str, str]]:
        """Each data node's (reported, assigned) state, as the monitor sees it."""
        with self._connect(self.monitor.port, "pg_auto_failover", "autoctl_node") as conn:
            rows = conn.execute(
                "SELECT nodename, reportedstate::text, goalstate::text FROM pgautofailover.node"
            ).fetchall()
        return {name: (reported, goal) for name, reported, goal in rows}

    def standby_of(self, primary: Node) -> Node:
        (node,) = [n for n in self.nodes if n is not primary]
        return node

    def wait_stable(self, *, within: float) -> Node:
        """Wait for one primary with its standby in sync (commits wait for it); return it.

        A dead node's last report stays as it was ("primary"), so a node counts
        only with its partner's state too.
        """
        deadline = time.monotonic() + within
        seen: dict[str, tuple[str, str]] = {}
        while time.monotonic() < deadline:
            with suppress(psycopg.OperationalError):
                seen = self.states()
            for node in self.nodes:
                if seen.get(node.name) == ("primary", "primary") and seen.get(
                    self.standby_of(node).name
                ) == ("secondary", "secondary"):
                    return node
            time.sleep(0.2)
        logs = "\n".join(f"--- {n.name}\n{self.log_tail(n)}" for n in self.nodes)
        raise RuntimeError(f"no primary with its standby within {within} s: {seen}\n{logs}")

    def writable_port(self) -> int:
        """The port the application's URL lands on now (its one read-write node)."""
        with psycopg.connect(
            host=",".join(HOST for _ in self.nodes),
            port=",".join(str(n.port) for n in self.nodes),
            dbname=DATABASE,
            user="postgres",
            target_session_attrs="read-write",
            connect_timeout=2,
        ) as conn:
            row = conn.execute("SELECT inet_server_port()").fetchone()
        assert row is not None
        return int(row[0])

    def synchronous_standby_names(self, node: Node) -> str:
        return self.settings(node)["synchronous_standby_names"]

    def settings(self, node: Node) -> dict[str, str]:
        """The node's replication settings, as its server has them now."""
        with self._connect(node.port, DATABASE, "postgres") as conn:
            rows = conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                (["synchronous_commit", "synchronous_standby_names"],),
            ).fetchall()
        return {name: setting for name, setting in rows}

    def wait_standby_caught_up(self, primary: Node, *, within: float) -> None:
        """Wait until the standby has flushed all WAL the primary wrote so far.

        A commit made while the primary ran alone (a standby rejoining) was
        acknowledged without waiting for it; from here on every one was
        acknowledged only after the standby had it too.
        """
        deadline = time.monotonic() + within
        with self._connect(primary.port, DATABASE, "postgres") as conn:
            conn.autocommit = True
            (target,) = conn.execute("SELECT pg_current_wal_lsn()").fetchone()  # type: ignore[misc]
            while True:
                row = conn.execute(
                    "SELECT bool_or(flush_lsn >= %s::pg_lsn) FROM pg_stat_replication", (target,)
                ).fetchone()
                if row and row[0]:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the standby did not flush {target} within {within} s")
                time.sleep(0.1)

    # --- failing ----------------------------------------------------------------

    def kill(self, node: Node) -> None:
        """SIGKILL the node's pg_autoctl and its postmaster at once: the machine is gone."""
        assert node.process is not None
        os.killpg(node.process.pid, signal.SIGKILL)
        node.kill_postmaster()  # already gone with the group, unless it left it
        node.process.wait(timeout=10)

    def rejoin(self, node: Node) -> None:
        """Start a dead node again: it becomes the standby of whoever is primary."""
        self._start(node, "run", "--pgdata", str(node.pgdata))

    def stop(self) -> None:
        """SIGTERM every pg_autoctl (each stops its postgres), SIGKILL after 30 s; remove all."""
        running = [n for n in [*self.nodes, self.monitor] if n.process and n.process.poll() is None]
        for node in running:
            os.killpg(node.process.pid, signal.SIGTERM)  # type: ignore[union-attr]
        for node in running:
            try:
                node.process.wait(timeout=30)  # type: ignore[union-attr]
            except subprocess.TimeoutExpired:
                os.killpg(node.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
        for node in [*self.nodes, self.monitor]:  # a postmaster outliving its pg_autoctl
            node.kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()
