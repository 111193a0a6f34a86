"""gunicorn's settings for `make run`: ``gunicorn wsgi:app`` reads this file.

Several synchronous worker processes serve the app, one request each at a
time; the master respawns a worker that dies. The master loads the app once
(``preload_app``), so a respawned worker serves within milliseconds instead
of importing everything again; each worker then drops the pool it inherited
(`post_fork`), so no database connection is ever shared across a fork.
What the master loaded is frozen out of the garbage collector's sight before
each fork (`pre_fork`), so a worker's collections walk only what it made.
Several workers on one SQLite file are safe because every write takes the
write lock up front (``BEGIN IMMEDIATE`` with a busy timeout) and a write
that still finds the database busy reruns whole
(`ledger.db.run_in_transaction`).

Environment: ``HOST`` and ``PORT`` (where to listen, default
127.0.0.1:5000), ``WORKERS`` (default 2).
"""

import gc
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "sync"
preload_app = True
#: A worker silent this long is killed and replaced. Longer than SQLite's 30 s
#: busy timeout, so a write queued behind a long one fails cleanly, not by kill.
timeout = 60
#: On SIGTERM or a restart, requests in progress get this long to finish.
graceful_timeout = 30
#: Access log to stdout, errors (and the incident ids of 500s) to stderr.
accesslog = "-"
errorlog = "-"
#: No runtime control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is
#: one per user, so two servers on one machine (a test beside `make run`) would
#: take it from each other; WORKERS and a restart do what it offers.
control_socket_disable = True


def post_fork(server, worker):
    """In the new worker: forget the master's connections without closing them.

    Closing would end the master's (and so every sibling's) connection; the
    worker opens its own on first use (SQLAlchemy's advice for forked pools).
    """
    worker.app.wsgi().extensions["ledger_db"].dispose(close=False)


def pre_fork(server, worker):
    """In the master, before each fork: freeze the loaded app out of the collector's sight.

    The modules, the app and SQLAlchemy's caches live as long as the worker; a
    full collection would walk them all (some 200,000 objects) to free
    nothing: 15 % of a 1,000-journal import on SQLite (docs/PERFORMANCE.md).
    Frozen, they are also never written by the collector, so the workers keep
    sharing the master's pages (Python's advice for forking servers).
    """
    gc.freeze()
