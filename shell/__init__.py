"""What both HTTP shells share: the app factory, the database handle, authentication,
the audited idempotent write, problem mapping, downloads and the input schemas.

`shell.app` is the composition root: it alone imports ``api`` and ``web``; every
other module here serves both and imports neither, so the two shells never
import each other (tests/test_layout.py holds the graph).
"""
