"""A scratch PostgreSQL primary archiving its WAL with pgBackRest, and its restore to a moment.

The operator's files in ``deploy/`` as they are: the server's
postgresql.conf includes ``postgresql-archive.conf`` (its
``archive_command`` unchanged), pgBackRest reads ``pgbackrest.conf`` with
only its paths moved into a temporary directory, and the base backup is
taken by ``backup.sh``. The configuration reaches every pgBackRest run,
those the servers start too (archive-push, and the archive-get of the
``restore_command`` a restore writes), through ``PGBACKREST_CONFIG`` in
the environment. Each server listens on a free loopback port with its
socket in that directory; the shared server on 5432 is never touched.
PostgreSQL refuses to run as root, so under root (CI) everything runs as
the ``postgres`` user the Debian package created.
"""

from __future__ import annotations

import configparser
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

from tests.server.harness import HOST, ROOT, free_port

DEPLOY = ROOT / "deploy"
STANZA = "ledger"
DATABASE = "ledger"


def pgbackrest() -> str:
    """The pgbackrest command; a missing one fails the test with the line to run."""
    found = shutil.which("pgbackrest")
    if found is None:
        raise RuntimeError(
            "pgbackrest is missing: run `bash scripts/system-packages.sh test` "
            "(Debian's pgbackrest)"
        )
    return found


def server_bin() -> Path:
    """The newest installed PostgreSQL server's bin directory (initdb, pg_ctl)."""
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / "pg_ctl").exists():
            return directory
    raise RuntimeError("no PostgreSQL server: run `bash scripts/system-packages.sh test`")


@dataclass
class Postgres:
    pgdata: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/{DATABASE}"

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host=HOST, port=self.port, dbname=dbname, user="postgres", connect_timeout=2
        )

    def kill(self) -> None:
        """SIGKILL the postmaster if it still runs (its children follow it out)."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            return
        if str(self.pgdata).encode() in command:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class Archive:
    """A pgBackRest repository and the servers that write into it and are restored from it."""

    def __init__(self) -> None:
        self.command = pgbackrest()
        self.bin = server_bin()
        self.root = Path(tempfile.mkdtemp(prefix="ledger-pitr-"))
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.config = self.root / "pgbackrest.conf"
        self.servers: list[Postgres] = []
        self.primary = self._server("primary")

    def _server(self, name: str) -> Postgres:
        server = Postgres(self.root / name, free_port(), self.root / f"{name}.log")
        self.servers.append(server)
        return server

    # --- processes ------------------------------------------------------------

    def _env(self, server: Postgres) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": f"{self.bin}:{os.environ.get('PATH', '')}",
            "PGBACKREST_CONFIG": str(self.config),
            "PGHOST": str(self.root),  # the servers' sockets
            "PGPORT": str(server.port),
            "PGUSER": "postgres",
        }

    def run(self, server: Postgres, *command: str, timeout: float = 180) -> str:
        """Run a command as the servers' owner; its output, or an error with all of it."""
        owner = (
            {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
            if self.user is not None
            else {}
        )
        done = subprocess.run(
            command,
            cwd=self.root,
            env=self._env(server),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **owner,  # type: ignore[arg-type]
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
                f"\n--- {server.log.name}\n{self.log_tail(server)}"
            )
        return done.stdout

    def log_tail(self, server: Postgres, lines: int = 30) -> str:
        text = server.log.read_text(errors="replace") if server.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def start(self, server: Postgres, *settings: str) -> None:
        """pg_ctl start on the server's port, with `settings` ("name=value") on top."""
        options = " ".join(f"-c {setting}" for setting in (f"port={server.port}", *settings))
        self.run(
            server,
            str(self.bin / "pg_ctl"), "start", "--wait", "--timeout=60",
            "--pgdata", str(server.pgdata), "--log", str(server.log), "--options", options,
        )  # fmt: skip

    def stop(self, server: Postgres) -> None:
        self.run(
            server,
            str(self.bin / "pg_ctl"), "stop", "--wait", "--mode=fast",
            "--pgdata", str(server.pgdata),
        )  # fmt: skip

    # --- the operator's procedure ------------------------------------------------

    def create(self) -> Archive:
        """initdb a primary with deploy/'s archive settings, start it, create the stanza."""
        primary = self.primary
        self.run(
            primary,
            str(self.bin / "initdb"), "--pgdata", str(primary.pgdata),
            "--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions",
        )  # fmt: skip
        with (primary.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{self.root}'\n"
                f"include '{DEPLOY / 'postgresql-archive.conf'}'\n"
            )
        self._write_config()
        self.start(primary)
        with primary.connect("postgres") as conn:
            conn.autocommit = True
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.run(primary, self.command, f"--stanza={STANZA}", "stanza-create")
        self.run(primary, self.command, f"--stanza={STANZA}", "check")
        return self

    def _write_config(self) -> None:
        """deploy/pgbackrest.conf, its paths moved here and the stanza pointed at the primary."""
        config = configparser.ConfigParser(interpolation=None)
        config.optionxform = str  # type: ignore[assignment,method-assign]  # keep keys as written
        config.read(DEPLOY / "pgbackrest.conf")
        for option in ("repo1-path", "log-path", "lock-path", "spool-path"):
            path = self.root / option.split("-")[0]
            self.run(self.primary, "mkdir", str(path))  # the servers' owner's
            config["global"][option] = str(path)
        config[STANZA].update(
            {
                "pg1-path": str(self.primary.pgdata),
                "pg1-port": str(self.primary.port),
                "pg1-socket-path": str(self.root),
            }
        )
        with self.config.open("w") as out:
            config.write(out)
        if self.user is not None:
            os.chown(self.config, self.user.pw_uid, self.user.pw_gid)

    def backup(self) -> str:
        """The nightly job, deploy/backup.sh, on the primary; what it printed."""
        return self.run(self.primary, "bash", str(DEPLOY / "backup.sh"))

    def archive_written_wal(self) -> None:
        """Switch to a new WAL segment and wait until the last one is in the archive.

        What archive_timeout does within a minute; the restore needs the WAL
        past its target.
        """
        self.run(self.primary, self.command, f"--stanza={STANZA}", "check")

    def restore(self, moment: str) -> Postgres:
        """Restore the newest backup into a new data directory up to `moment`, start, promote.

        As README.md's check of a restore beside the book: archive_mode off, so
        the copy never pushes its own timeline into the repository.
        """
        restored = self._server("restored")
        self.run(restored, "mkdir", "--mode=0700", str(restored.pgdata))
        self.run(
            restored,
            self.command, f"--stanza={STANZA}", f"--pg1-path={restored.pgdata}",
            "--type=time", f"--target={moment}", "--target-action=promote",
            "restore",
        )  # fmt: skip
        self.start(restored, "archive_mode=off")
        deadline = time.monotonic() + 60
        while True:  # it takes writes once it has replayed up to `moment` and promoted
            with restored.connect() as conn:
                (recovering,) = conn.execute("SELECT pg_is_in_recovery()").fetchone()  # type: ignore[misc]
            if not recovering:
                return restored
            if time.monotonic() > deadline:
                raise RuntimeError(f"no promotion within 60 s:\n{self.log_tail(restored)}")
            time.sleep(0.2)

    def remove(self) -> None:
        """Stop every server (SIGKILL after a fast shutdown fails) and remove the directory."""
        for server in self.servers:
            if (server.pgdata / "postmaster.pid").exists():
                with suppress(RuntimeError, subprocess.TimeoutExpired):
                    self.stop(server)
                server.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def archived_primary() -> Iterator[Archive]:
    archive = Archive()
    try:
        yield archive.create()
    finally:
        archive.remove()
