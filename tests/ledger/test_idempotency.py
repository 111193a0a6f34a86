"""Idempotency keys in the ledger: claim, complete, replay, release, take over, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ledger.clock import utcnow
from ledger.errors import IdempotencyKeyReused, InvalidField, RequestInFlight, RuleViolated
from ledger.idempotency import (
    Claim,
    StoredResponse,
    claim,
    complete,
    idempotent,
    purge,
    release,
    request_fingerprint,
    validate_key,
)
from ledger.models import IdempotencyRecord, IdempotencyStatus
from ledger.transactions import DeferredUnitOfWork, run_deferred

PRINT = request_fingerprint("POST", "/x", {"amount": "1.00"})
OTHER = request_fingerprint("POST", "/x", {"amount": "2.00"})


def claim_of(db, key="k1", fingerprint=PRINT, actor="alice", **kwargs):
    return claim(
        db, actor=actor, key=key, method="POST", path="/x", fingerprint=fingerprint, **kwargs
    )


def records(db, key="k1") -> list[IdempotencyRecord]:
    with db.read() as session:
        found = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).all()
        for record in found:
            session.expunge(record)
    return list(found)


def test_the_fingerprint_ignores_key_order_but_not_values_method_or_path():
    assert request_fingerprint("POST", "/x", {"a": 1, "b": "2"}) == request_fingerprint(
        "post", "/x", {"b": "2", "a": 1}
    )
    assert PRINT != OTHER
    assert request_fingerprint("PUT", "/x", {"amount": "1.00"}) != PRINT
    assert request_fingerprint("POST", "/y", {"amount": "1.00"}) != PRINT
    assert request_fingerprint("POST", "/x", b"raw") != request_fingerprint("POST", "/x", "raw")


@pytest.mark.parametrize("key", ["", "k" * 256, "with space", "tab\t", "键", None])
def test_a_key_is_1_to_255_visible_ascii_characters(key):
    with pytest.raises(InvalidField):
        validate_key(key)


def test_a_key_of_255_characters_is_fine():
    assert validate_key("k" * 255) == "k" * 255


def test_claim_then_duplicate_is_in_flight_and_another_request_is_refused(db):
    held = claim_of(db)
    assert isinstance(held, Claim)
    with pytest.raises(RequestInFlight):
        claim_of(db)
    with pytest.raises(IdempotencyKeyReused):
        claim_of(db, fingerprint=OTHER)
    assert isinstance(claim_of(db, actor="bob"), Claim)  # keys are per user


def test_a_completed_key_replays_its_response(db):
    held = claim_of(db)
    with db.uow() as uow:
        complete(uow, held, status=201, body='{"voucher":"记-2007-04-0001"}')
        uow.commit()
    assert claim_of(db) == StoredResponse(201, '{"voucher":"记-2007-04-0001"}', replayed=True)
    [record] = records(db)
    assert record.status is IdempotencyStatus.DONE and record.completed_at is not None


def test_idempotent_runs_the_work_once(db):
    calls = []

    def work(uow: DeferredUnitOfWork) -> tuple[int, str]:
        calls.append(1)
        uow.commit()
        return 201, '{"n":1}'

    kwargs = dict(actor="alice", key="k2", method="POST", path="/x", fingerprint=PRINT)
    first = idempotent(db, work=work, **kwargs)
    second = idempotent(db, work=work, **kwargs)
    assert first == StoredResponse(201, '{"n":1}', replayed=False)
    assert second == StoredResponse(201, '{"n":1}', replayed=True)
    assert calls == [1]


def test_a_failed_or_empty_request_gives_its_key_back(db):
    def fails(uow):
        raise RuleViolated("不行", "no")

    def writes_nothing(uow):
        return 200, "{}"

    kwargs = dict(actor="alice", key="k3", method="POST", path="/x", fingerprint=PRINT)
    with pytest.raises(RuleViolated):
        idempotent(db, work=fails, **kwargs)
    assert records(db, "k3") == []
    assert idempotent(db, work=writes_nothing, **kwargs).replayed is False
    assert records(db, "k3") == []


def test_a_stale_claim_is_taken_over_and_the_slow_first_request_cannot_complete(db):
    now = utcnow()
    first = claim_of(db, now=now)
    with pytest.raises(RequestInFlight):
        claim_of(db, now=now + timedelta(minutes=4))
    second = claim_of(db, now=now + timedelta(minutes=6))
    assert isinstance(second, Claim) and second.token != first.token
    with db.uow() as uow, pytest.raises(RequestInFlight):
        complete(uow, first, status=201, body="{}")
    release(db, first)  # not its claim any more: nothing happens
    assert len(records(db)) == 1


def test_the_stored_response_commits_with_the_work_or_not_at_all(db):
    held = claim_of(db, key="k4")

    def work(uow: DeferredUnitOfWork) -> None:
        complete(uow, held, status=201, body="{}")
        raise RuleViolated("不行", "no")  # after storing: everything rolls back

    with pytest.raises(RuleViolated):
        run_deferred(db, work)
    [record] = records(db, "k4")
    assert record.status is IdempotencyStatus.IN_FLIGHT


def test_purge_keeps_keys_for_at_least_thirty_days(db):
    now = utcnow()
    for key, age in (("old", 31), ("young", 29)):
        held = claim_of(db, key=key, now=now - timedelta(days=age))
        with db.uow() as uow:
            complete(uow, held, status=201, body="{}")
            uow.commit()
    with db.uow() as uow:
        purge(uow, now=now, keep=timedelta(days=1))  # asking for less still keeps 30 days
    with db.read() as session:
        left = set(
            session.scalars(
                select(IdempotencyRecord.key).where(IdempotencyRecord.key.in_(["old", "young"]))
            )
        )
        assert left == {"young"}
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) >= 1
