"""Idempotency keys in the ledger: one transaction per request, replay, refusal, purge."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from ledger.clock import utcnow
from ledger.db import UnitOfWork
from ledger.errors import IdempotencyKeyReused, InvalidField, RuleViolated
from ledger.idempotency import StoredResponse, idempotent, purge, request_fingerprint, validate_key
from ledger.models import IdempotencyRecord, IdempotencyStatus
from tests.factories import committing

PRINT = request_fingerprint("POST", "/x", {"amount": "1.00"})
OTHER = request_fingerprint("POST", "/x", {"amount": "2.00"})


def run(db, work, key="k1", fingerprint=PRINT, actor="alice", **kwargs) -> StoredResponse:
    return idempotent(
        db,
        actor=actor,
        key=key,
        method="POST",
        path="/x",
        fingerprint=fingerprint,
        work=work,
        **kwargs,
    )


def answers(body: str = "{}", status: int = 201):
    """A work that answers `status`, `body` (`idempotent` commits it with its key)."""

    def work(uow: UnitOfWork) -> tuple[int, str]:
        return status, body

    return work


def refused(uow: UnitOfWork) -> tuple[int, str]:
    raise AssertionError("the work must not run")


def records(db, key="k1") -> list[IdempotencyRecord]:
    with db.read() as session:
        found = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).all()
        for record in found:
            session.expunge(record)
    return list(found)


def in_flight_row(key: str, fingerprint: str = PRINT) -> IdempotencyRecord:
    """An in-flight record: a leftover of a dead process, or a stand-in business write."""
    return IdempotencyRecord(
        actor="alice",
        key=key,
        method="POST",
        path="/x",
        request_hash=fingerprint,
        status=IdempotencyStatus.IN_FLIGHT,
        claim="0" * 32,
        created_at=utcnow(),
    )


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


def test_a_done_key_replays_and_another_request_with_it_is_refused(db):
    first = run(db, answers('{"voucher":"记-2007-04-0001"}'))
    assert first == StoredResponse(201, '{"voucher":"记-2007-04-0001"}', replayed=False)
    assert run(db, refused) == StoredResponse(201, '{"voucher":"记-2007-04-0001"}', replayed=True)
    with pytest.raises(IdempotencyKeyReused) as caught:
        run(db, refused, fingerprint=OTHER)
    assert caught.value.field == "Idempotency-Key" and "POST /x" in caught.value.detail_en
    assert run(db, answers(), actor="bob").replayed is False  # keys are per user
    [record] = [r for r in records(db) if r.actor == "alice"]
    assert record.status is IdempotencyStatus.DONE and record.completed_at is not None
    assert record.request_hash == PRINT and record.response_status == 201


def test_idempotent_runs_the_work_once(db):
    calls = []

    def work(uow: UnitOfWork) -> tuple[int, str]:
        calls.append(1)
        return 201, '{"n":1}'

    first = run(db, work, key="k2")
    second = run(db, work, key="k2")
    assert first == StoredResponse(201, '{"n":1}', replayed=False)
    assert second == StoredResponse(201, '{"n":1}', replayed=True)
    assert calls == [1]


def test_a_failed_request_leaves_no_record_and_the_key_may_be_retried(db):
    def fails(uow):
        uow.session.flush()  # even after its writes reached the database
        raise RuleViolated("不行", "no")

    with pytest.raises(RuleViolated):
        run(db, fails, key="k3")
    assert records(db, "k3") == []
    assert run(db, answers('{"n":3}'), key="k3") == StoredResponse(201, '{"n":3}', replayed=False)
    assert [r.status for r in records(db, "k3")] == [IdempotencyStatus.DONE]


def test_the_key_commits_with_the_work_or_not_at_all(db):
    def writes_then_fails(uow: UnitOfWork) -> tuple[int, str]:
        uow.session.add(in_flight_row("k4-business"))
        uow.session.flush()
        raise RuleViolated("不行", "no")

    with pytest.raises(RuleViolated):
        run(db, writes_then_fails, key="k4")
    assert records(db, "k4") == records(db, "k4-business") == []


def test_a_leftover_in_flight_row_does_not_block_a_retry(db):
    """A row the former two-step design left in flight belongs to a dead process."""
    with db.uow() as uow:
        uow.session.add(in_flight_row("k5", fingerprint=PRINT))
        uow.commit()
    assert run(db, answers('{"n":5}'), key="k5") == StoredResponse(201, '{"n":5}', replayed=False)
    [record] = records(db, "k5")
    assert (record.status, record.response_body) == (IdempotencyStatus.DONE, '{"n":5}')
    assert run(db, refused, key="k5").replayed is True
    with pytest.raises(IdempotencyKeyReused):
        run(db, refused, key="k5", fingerprint=OTHER)


def test_a_leftover_in_flight_row_of_another_request_is_still_refused(db):
    with db.uow() as uow:
        uow.session.add(in_flight_row("k6", fingerprint=OTHER))
        uow.commit()
    with pytest.raises(IdempotencyKeyReused):
        run(db, refused, key="k6")
    [record] = records(db, "k6")
    assert record.status is IdempotencyStatus.IN_FLIGHT


def test_a_write_commits_once_and_a_replay_not_at_all(committed_db):
    """One commit (one fsync on SQLite) per idempotent write: the key rides in its transaction."""
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    key = f"once-{uuid.uuid4().hex}"
    event.listen(committed_db.engine, "commit", count)
    try:
        run(committed_db, answers('{"n":7}'), key=key)
        assert len(commits) == 1
        assert run(committed_db, refused, key=key).replayed is True
        assert len(commits) == 1
    finally:
        event.remove(committed_db.engine, "commit", count)


@pytest.mark.parametrize("key", ["", "with space", "k" * 256])
def test_a_malformed_key_is_refused_before_anything_runs(db, key):
    with pytest.raises(InvalidField):
        run(db, refused, key=key)


def test_purge_keeps_keys_for_at_least_thirty_days(db):
    now = utcnow()
    for key, age in (("old", 31), ("young", 29)):
        run(db, answers(), key=key, now=now - timedelta(days=age))
    with committing(db) as uow:
        purge(uow, now=now, keep=timedelta(days=1))  # asking for less still keeps 30 days
    with db.read() as session:
        left = set(
            session.scalars(
                select(IdempotencyRecord.key).where(IdempotencyRecord.key.in_(["old", "young"]))
            )
        )
        assert left == {"young"}
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) >= 1
