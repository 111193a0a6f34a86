"""``/api/v1/auth``: log in for a bearer token, log out, and ask who you are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.pagination import Blueprint
from ledger.actors import ROLES
from ledger.services.users import issue_token, revoke_token
from shell.auth import current_token, require, verify_login
from shell.writes import commit_write

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Tokens and identity 令牌与身份"
)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=1024)
    )


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "shown once; keep it secret"})
    token_type = fields.Constant("Bearer")
    expires_at = fields.DateTime(required=True)


class MeSchema(Schema):
    username = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    township = fields.String(allow_none=True, metadata={"description": "township officers only"})
    fund = fields.String(allow_none=True, metadata={"description": "when granted one fund only"})
    token_expires_at = fields.DateTime(required=True)


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, credentials: dict[str, str]) -> Any:
        """Log in: exchange a username and password for a bearer token (登录)

        Failed logins are counted per username and client address; too many
        in a short while are refused with 429 and a Retry-After header.
        """
        actor = verify_login(credentials["username"], credentials["password"])
        ttl = timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])
        return commit_write(
            lambda uow: issue_token(uow, actor, ttl=ttl),
            schema=TokenSchema(),
            actor=actor,
            target=f"user:{actor.username}",
            idempotent_key=False,  # the answer carries a secret: never store it
            include_body=False,
            headers={"Cache-Control": "no-store"},
        )


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @require()
    @blp.response(204)
    def delete(self) -> Any:
        """Log out: revoke the token this request carries (注销)"""
        token = current_token()
        return commit_write(
            lambda uow: revoke_token(uow, token_id=token.token_id),
            status=204,
            target=f"token:{token.token_id}",
            idempotent_key=False,
        )


@blp.route("/me")
class Me(MethodView):
    @require()
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Who am I: the user, role and township behind the token (当前用户)"""
        token = current_token()
        actor = token.actor
        return {
            "username": actor.username,
            "role": str(actor.role),
            "township": actor.township_code,
            "fund": actor.fund_code,
            "token_expires_at": token.expires_at,
        }
