"""Users (用户), their API tokens (令牌) and failed logins.

A password is kept only as an argon2id hash. A token is a random string
handed to the client once; the database keeps its SHA-256, so a copy of the
database lets no one call the API. Tokens expire and can be revoked; a
disabled user's tokens stop working at once because every lookup checks the
user too. Failed logins are rows, counted per username and client address
over a sliding window to slow down password guessing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.actors import Role
from ledger.db import Base, enum_column
from ledger.models.county import digits_only


class User(Base):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(
            "(role = 'township') = (township_code IS NOT NULL)", "township_iff_township_role"
        ),
        CheckConstraint(
            f"region IS NULL OR (length(region) IN (2, 4, 6) AND {digits_only('region')})",
            "region_code",
        ),
        # A city's or a province's people read; only a county's may write (SPEC §12).
        CheckConstraint(
            "region IS NULL OR length(region) = 6 OR role IN ('leader', 'auditor')",
            "region_above_county_reads_only",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: argon2id, in the PHC string format (``$argon2id$v=19$m=...``).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    #: The one township a ``township`` officer may see; NULL for every other role.
    township_code: Mapped[str | None] = mapped_column(String(9))
    #: The administrative code the user is confined to: a county (6 digits), a city (4) or a
    #: province (2). NULL: every county, as in an install that serves one county.
    region: Mapped[str | None] = mapped_column(String(6))
    #: The fund a user is granted when limited to one; NULL means every fund.
    fund_code: Mapped[str | None] = mapped_column(String(32))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: Hex SHA-256 of the bearer token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Refreshed at most every few minutes, so reads do not all become writes.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginFailure(Base):
    """One failed login: who was tried, from where, when."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_client_at", "username", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As submitted (normalised), whether or not such a user exists.
    username: Mapped[str] = mapped_column(String(64))
    #: The client's address as the web shell saw it.
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
