"""A test-only blueprint that exercises the API's machinery without business endpoints.

Registered on an app by the ``probe_app`` fixture, under ``/test``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Page
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from api.pagination import Blueprint, paginate_listing
from ledger.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    RuleViolated,
    TooManyAttempts,
)
from ledger.models import User
from ledger.read.listing import Listing
from ledger.services.users import create_user
from shell.auth import confine_township, current_actor, require
from shell.db import get_db
from shell.fields import Amount, Date
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint("probes", __name__, url_prefix="/test", description="test only")

SECRET = "do-not-leak-this-password-9f3a"


@blp.route("/errors/<kind>")
class Errors(MethodView):
    @blp.response(200)
    def get(self, kind: str) -> Any:
        if kind == "not-found":
            raise NotFound("贷款不存在", "no such loan", field="loan")
        if kind == "conflict":
            raise Conflict("期间已结账", "period closed")
        if kind == "rule":
            raise RuleViolated("金额超限", "amount over the limit", field="amount")
        if kind == "not-permitted":
            raise NotPermitted("不能审批本人的申请", "cannot approve your own proposal")
        if kind == "too-many":
            raise TooManyAttempts("太多", "too many", retry_after=42)
        if kind == "database-gone":  # a failover: the connection broke mid-query
            raise OperationalError("SELECT 1", {}, Exception("closed"), connection_invalidated=True)
        if kind == "database-broken":  # the database answered, with an error nobody expects
            raise OperationalError("SELECT 1", {}, Exception("could not write block"))
        raise RuntimeError(f"connection to postgres://admin:{SECRET}@db failed")


class AmountsIn(Schema):
    amount = Amount(required=True, positive=True)
    signed = Amount()
    on = Date()


@blp.route("/amounts")
class Amounts(MethodView):
    @blp.arguments(AmountsIn)
    @blp.response(200, AmountsIn)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        g.audit_exempt = True  # validates only, writes nothing
        return data


@blp.route("/admin-only")
class AdminOnly(MethodView):
    @require("admin")
    @blp.response(200)
    def get(self) -> dict[str, str]:
        return {"hello": current_actor().username}


@blp.route("/townships/<code>")
class TownshipProbe(MethodView):
    @require("clerk", "township")
    @blp.response(200)
    def get(self, code: str) -> dict[str, str]:
        confine_township(current_actor(), code)
        return {"township": code}


class NewUser(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()


def _create(data: dict[str, Any], delay: float = 0.0) -> Any:
    def work(uow: Any) -> User:
        time.sleep(delay)
        return create_user(
            uow, username=data["username"], password="probe-password", role=data["role"]
        )

    return commit_write(work, schema=UserOut(), target=lambda user: f"user:{user.username}")


@blp.route("/users")
class Users(MethodView):
    @require("admin")
    @accepts_idempotency_key
    @blp.arguments(NewUser)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> Any:
        return _create(data)


@blp.route("/slow-users")
class SlowUsers(MethodView):
    @require("admin")
    @blp.arguments(NewUser)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> Any:
        return _create(data, delay=0.3)


@blp.route("/unaudited")
class Unaudited(MethodView):
    @require()
    @blp.response(200)
    def post(self) -> dict[str, str]:
        return {"oops": "wrote without commit_write"}


class Item(Schema):
    n = fields.Integer()


@blp.route("/items")
class Items(MethodView):
    @blp.response(200, Item(many=True))
    @blp.paginate(Page)
    def get(self) -> list[dict[str, int]]:
        return [{"n": n} for n in range(25)]


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    role: str


@blp.route("/users-by-prefix/<prefix>")
class UsersByPrefix(MethodView):
    @blp.response(200, UserOut(many=True))
    @blp.paginate()
    def get(self, prefix: str, pagination_parameters: Any) -> list[UserRow]:
        query = (
            select(User.id, User.username, User.role)
            .where(User.username.startswith(prefix))
            .order_by(User.username)
        )
        with get_db().read() as session:
            return paginate_listing(session, Listing(query, UserRow), pagination_parameters)
