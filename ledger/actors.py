"""Who is acting: every service takes an `Actor` and records its username.

A township officer (role ``township``) is bound to one township and may
never see or touch another; services call `confine_township` so the rule
holds whatever door (API, web page, CLI) the request came through.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("clerk", "approver", "township", "leader", "admin")


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    township_code: str | None = None
    user_id: int | None = None

    @property
    def is_township(self) -> bool:
        return self.role == "township"

    def sees_township(self, code: str) -> bool:
        """True unless this is a township officer of another township."""
        return not self.is_township or self.township_code == code


#: The actor of system jobs (demo loading, migrations); never a person.
SYSTEM = Actor("system", "admin")
