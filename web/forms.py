"""Forms: parse with the shared input schemas, write through the shared audited path.

A page's form is parsed by the same marshmallow schema the API uses for that
operation (so a rule lives in one place), and the write goes through
``shell.writes.commit_write``: one transaction with its audit record, made
idempotent by the form's hidden ``idempotency_key`` (a fresh one each time
the form is drawn), so a double click posts once and the second click lands
on the same result page.

A refusal, whether a schema's or the ledger's, redraws the form with status
422, every message in Chinese beside the field that caused it, and the
values the user typed still in the inputs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, redirect, request
from marshmallow import Schema, ValidationError
from marshmallow import fields as mfields

from ledger.db import UnitOfWork
from ledger.errors import IdempotencyKeyReused, LedgerError, NotFound
from shell.problems import field_errors
from shell.writes import commit_write
from web.session import CSRF_FIELD, flash

KEY_FIELD = "idempotency_key"
#: The form input an error's field belongs to, or None for the field's own input.
Inputs = Callable[[str], str | None]
#: Where a refusal that names no field (or a field the form lacks) is shown.
FORM = "_form"
RESENT = "这张表单已经提交过(可能用了浏览器的“后退”)。请核对下面的内容,确认无误后再提交一次。"


@dataclass
class FormState:
    """What a form is drawn with: the values to show and the errors beside them."""

    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: Prefixes the inputs' ids where a page holds several forms (ids must be unique).
    prefix: str = ""

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def refused_by(self, error: ValidationError, inputs: Inputs | None = None) -> None:
        """Every message of a schema's refusal, in Chinese, beside its field."""
        for problem in field_errors(error.messages):
            name = problem.field or FORM
            self.error((inputs and inputs(name)) or name, problem.message_zh)

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def prefixed(states: dict[Any, FormState]) -> dict[Any, FormState]:
    """Several forms on one page: each one's input ids start with its own name."""
    for name, state in states.items():
        parts = name if isinstance(name, tuple) else (name,)
        state.prefix = "-".join(str(part) for part in parts) + "-"
    return states


def blank(**values: Any) -> FormState:
    """A new form, optionally with suggested values."""
    return FormState(values=values)


def submitted_values() -> dict[str, str]:
    """The form as typed, less the CSRF and idempotency fields."""
    return {
        name: value for name, value in request.form.items() if name not in (CSRF_FIELD, KEY_FIELD)
    }


def parse(schema: Schema, values: Mapping[str, str]) -> dict[str, Any]:
    """Load non-empty form values with `schema`.

    A form sends text: yes/no choices become booleans and numbers integers
    (for the API's strict integer fields); anything else the schema parses.
    """
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str) and not value.strip():
            continue
        declared = schema.fields.get(name) or _by_data_key(schema, name)
        if isinstance(declared, mfields.Boolean):
            data[name] = value in ("true", "on", "1", "yes")
        elif isinstance(declared, mfields.Integer):
            data[name] = _integer(value)
        else:
            data[name] = value.strip() if isinstance(value, str) else value
    return schema.load(data)


def search_form(schema: Schema, fallback: dict[str, Any]) -> tuple[dict[str, Any], FormState]:
    """A GET form (a list's filters): its values, or `fallback` and the errors if refused."""
    typed = {name: value for name, value in request.args.items()}
    state = FormState(values=typed)
    try:
        return parse(schema, typed), state
    except ValidationError as error:
        state.refused_by(error)
        return schema.load(fallback), state


def _by_data_key(schema: Schema, name: str) -> mfields.Field | None:
    for declared in schema.fields.values():
        if declared.data_key == name:
            return declared
    return None


def _integer(value: str) -> int | str:
    try:
        return int(value.strip())
    except ValueError:
        return value  # the schema refuses it with its own message


def submit(
    schema: Schema,
    work: Callable[[UnitOfWork, dict[str, Any]], Any],
    *,
    done: Callable[[Any], str],
    notice: Callable[[Any], str],
    target: str | Callable[[Any], str | None] | None,
    redraw: Callable[[FormState], Any],
    values: Mapping[str, Any] | None = None,
    inputs: Inputs | None = None,
    audited_by_service: bool = False,
) -> Any:
    """Parse the posted form, run `work(uow, data)` as one audited, idempotent write.

    On success: `notice(result)` is shown on the page `done(result)` names
    (303, so a reload does not post again). On a refusal: `redraw(state)`
    with status 422. `values` replaces the posted form (for a form with a
    multiple choice, whose values are a list). A form whose inputs are not
    the schema's fields (a table of inputs that `values` makes a list of)
    gives `inputs`: the form is redrawn as posted, each error beside the
    input `inputs` names for its field. `audited_by_service`: the service
    audits itself (a society's verbs), so no second record is added.
    """
    typed = submitted_values() if values is None else dict(values)
    state = FormState(values=submitted_values() if inputs else typed)
    key = request.form.get(KEY_FIELD, "")
    if not key:
        abort(400, description="idempotency_key")
    try:
        data = parse(schema, typed)
    except ValidationError as error:
        state.refused_by(error, inputs)
        return _refused(redraw, state)

    def transaction(uow: UnitOfWork) -> dict[str, str | None]:
        result = work(uow, data)
        return {
            "location": done(result),
            "notice": notice(result),
            "target": target(result) if callable(target) else target,
        }

    try:
        # A second click waits for the first's transaction, then gets its answer.
        response = commit_write(
            transaction,
            target=lambda answer: answer["target"],
            key=key,
            audited_by_service=audited_by_service,
        )
    except IdempotencyKeyReused:
        # The form was sent before with other values (back button, edit, send):
        # it is redrawn with a fresh key, so the next send is a new request.
        state.error(FORM, RESENT)
        return _refused(redraw, state)
    except LedgerError as error:
        name = (inputs and error.field and inputs(error.field)) or _input_name(
            schema, typed, error.field
        )
        if isinstance(error, NotFound) and name is None:
            raise  # the page's own record is gone: a 404, not a form error
        state.error(name or FORM, error.detail_zh)
        return _refused(redraw, state)
    answer = json.loads(response.get_data(as_text=True))
    flash(answer["notice"])
    return redirect(answer["location"], code=303)


def _input_name(schema: Schema, typed: Mapping[str, str], name: str | None) -> str | None:
    """The form input a service's `field` names (its data key), or None."""
    if name is None:
        return None
    declared = schema.fields.get(name)
    if declared is not None:
        return declared.data_key or name
    return name if name in typed else None


def _refused(redraw: Callable[[FormState], Any], state: FormState) -> Any:
    # A message about a field the form does not show (the page supplies it) goes
    # at the top of the form, so that no refusal is ever invisible.
    for name in [name for name in state.errors if name != FORM and name not in state.values]:
        for message in state.errors.pop(name):
            state.error(FORM, f"{name}:{message}")
    page = redraw(state)
    if isinstance(page, Response):
        page.status_code = 422
        return page
    return page, 422


def form_page(
    render: Callable[[FormState], Any],
    schema: Schema,
    work: Callable[[UnitOfWork, dict[str, Any]], Any],
    *,
    done: Callable[[Any], str],
    notice: Callable[[Any], str],
    target: str | Callable[[Any], str | None] | None,
    suggested: Mapping[str, Any] | None = None,
) -> Any:
    """A page whose form posts to itself: GET draws it blank, POST submits it."""
    if request.method == "GET":
        return render(blank(**(suggested or {})))
    return submit(schema, work, done=done, notice=notice, target=target, redraw=render)
