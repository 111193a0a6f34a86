"""The hash-chained audit log: appending, verifying, tampering, guards, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.actors import Actor
from ledger.audit import append_audit, chain_head, record_hash, verify, verify_all
from ledger.db import run_in_transaction
from ledger.models import AuditRecord

CLERK = Actor("clerk-a", "clerk")


def unguard_audit(session) -> None:
    """Switch off the audit log's guards, as someone with database access could."""
    if session.get_bind().dialect.name == "postgresql":
        for table, trigger in (
            ("audit_record", "trg_audit_record_append_only"),
            ("audit_head", "trg_audit_head_advances"),
        ):
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
    else:
        for trigger in (
            "trg_audit_record_no_update",
            "trg_audit_record_no_delete",
            "trg_audit_head_advances",
        ):
            session.execute(text(f"DROP TRIGGER {trigger}"))


def append(db, n: int = 3, actor: Actor = CLERK) -> list[int]:
    """Append `n` records, committed; return their seqs."""
    with db.uow() as uow:
        seqs = [
            append_audit(
                uow.session,
                actor=actor,
                action=f"POST /api/v1/test/{i}",
                target=f"thing:{i}",
                details={"amount": "1000.00", "备注": "测试", "n": i},
                request_id=f"req-{i}",
                client_addr="192.0.2.1",
            ).seq
            for i in range(n)
        ]
        uow.commit()
    return seqs


def head(db) -> tuple[int, str]:
    with db.read() as session:
        return chain_head(session)


def report(db):
    with db.read() as session:
        return verify(session)


def test_records_form_a_verified_chain(db):
    before_seq, before_hash = head(db)
    seqs = append(db)
    assert seqs == [before_seq + 1, before_seq + 2, before_seq + 3]
    with db.read() as session:
        records = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.chain == "", AuditRecord.seq.in_(seqs))
            .order_by(AuditRecord.seq)
        ).all()
        assert records[0].prev_hash == before_hash
        assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
        for record in records:
            assert record.hash == record_hash(
                seq=record.seq,
                at=record.at,
                actor=record.actor,
                role=record.role,
                action=record.action,
                target=record.target,
                details=record.details,
                request_id=record.request_id,
                client_addr=record.client_addr,
                prev_hash=record.prev_hash,
            )
        assert records[0].details == '{"amount":"1000.00","n":0,"备注":"测试"}'
        last_hash = records[-1].hash
    result = report(db)
    assert result.ok and result.broken_seq is None
    assert (result.head_seq, result.head_hash) == (seqs[-1], last_hash)
    assert head(db) == (seqs[-1], last_hash)


def test_an_append_that_is_not_committed_leaves_no_trace(db):
    before = head(db)
    with db.uow() as uow:
        append_audit(uow.session, actor=CLERK, action="never committed")
    assert head(db) == before


def records_in(session, chain: str = "") -> int:
    return session.scalar(select(func.count()).where(AuditRecord.chain == chain))


def test_a_record_is_written_in_the_commits_round_trip(db):
    """Appending locks the head and writes nothing more until the commit, which sends
    the record and the head's move with the COMMIT (one PostgreSQL pipeline)."""
    before_seq, _ = head(db)
    with db.uow() as uow:
        count = records_in(uow.session)
        sent: list[str] = []
        connection = uow.session.connection()
        listen = ("before_cursor_execute", lambda *a: sent.append(a[2].split()[0]))
        event.listen(connection, *listen)
        append_audit(uow.session, actor=CLERK, action="POST /a")
        append_audit(uow.session, actor=CLERK, action="POST /b")
        assert sent == ["SELECT"]  # the head, locked once for both
        assert records_in(uow.session) == count
        sent.clear()
        uow.commit()
        event.remove(connection, *listen)
        assert sent[:4] == ["INSERT", "UPDATE", "INSERT", "UPDATE"]
    assert head(db)[0] == before_seq + 2
    assert report(db).ok


def head_moves(db, work) -> int:
    """How far `work(uow)` moves the system chain's head; the chain still verifies."""
    before_seq, _ = head(db)
    with db.uow() as uow:
        work(uow)
    assert report(db).ok
    return head(db)[0] - before_seq


def test_a_session_committed_by_hand_still_writes_its_record(db):
    def by_hand(uow) -> None:
        append_audit(uow.session, actor=CLERK, action="POST /by-hand")
        uow.session.commit()
        uow.committed = True

    assert head_moves(db, by_hand) == 1


def test_a_rolled_back_record_is_not_sent_with_the_next_commit(db):
    """The same session, a rollback, then another transaction: only its own record."""

    def rolled_back_then_kept(uow) -> None:
        append_audit(uow.session, actor=CLERK, action="POST /rolled-back")
        uow.session.rollback()
        append_audit(uow.session, actor=CLERK, action="POST /kept")
        uow.commit()

    before_seq, _ = head(db)
    assert head_moves(db, rolled_back_then_kept) == 1
    with db.read() as session:
        kept = session.scalars(select(AuditRecord.action).where(AuditRecord.seq > before_seq))
        assert list(kept) == ["POST /kept"]


BASE = {
    "seq": 7,
    "at": datetime(2007, 4, 1, 8, 30, tzinfo=UTC),
    "actor": "clerk-a",
    "role": "clerk",
    "action": "POST /x",
    "target": "loan:1",
    "details": "{}",
    "request_id": "r1",
    "client_addr": "192.0.2.1",
    "prev_hash": "0" * 64,
}


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("seq", 8),
        ("at", datetime(2007, 4, 1, 8, 30, 0, 1, tzinfo=UTC)),
        ("actor", "clerk-b"),
        ("role", "admin"),
        ("action", "POST /y"),
        ("target", None),
        ("details", '{"a":1}'),
        ("request_id", None),
        ("client_addr", "192.0.2.2"),
        ("prev_hash", "1" * 64),
    ],
)
def test_the_hash_covers_every_field(field, other):
    assert record_hash(**{**BASE, field: other}) != record_hash(**BASE)


def test_the_hash_does_not_depend_on_the_timezone_a_time_is_written_in():
    from datetime import timedelta, timezone

    beijing = BASE["at"].astimezone(timezone(timedelta(hours=8)))
    assert record_hash(**{**BASE, "at": beijing}) == record_hash(**BASE)
    naive = BASE["at"].replace(tzinfo=None)  # how SQLite hands it back
    assert record_hash(**{**BASE, "at": naive}) == record_hash(**BASE)


def refused(db, sql: str, **params) -> None:
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(text(sql), params)


def test_the_database_refuses_to_change_or_delete_records(db):
    [seq] = append(db, 1)
    refused(
        db, "UPDATE audit_record SET actor = 'mallory' WHERE chain = '' AND seq = :seq", seq=seq
    )
    refused(db, "DELETE FROM audit_record WHERE chain = '' AND seq = :seq", seq=seq)
    refused(db, "DELETE FROM audit_head")
    refused(db, "UPDATE audit_head SET seq = seq - 1, hash = :h", h="0" * 64)
    refused(db, "UPDATE audit_head SET seq = seq + 1")  # no such record
    if db.engine.dialect.name == "postgresql":
        refused(db, "TRUNCATE audit_record")
        refused(db, "TRUNCATE audit_head")
    assert report(db).ok


def test_the_database_refuses_a_record_that_does_not_extend_the_head(db):
    seq, last = head(db)
    insert = (
        "INSERT INTO audit_record (chain, seq, at, actor, role, action, details, prev_hash, hash) "
        "VALUES ('', :seq, :at, 'm', 'admin', 'forged', '{}', :prev, :hash)"
    )
    at = datetime(2030, 1, 1, tzinfo=UTC)
    refused(db, insert, seq=seq + 2, at=at, prev=last, hash="f" * 64)  # skips a number
    refused(db, insert, seq=seq + 1, at=at, prev="e" * 64, hash="f" * 64)  # wrong link
    assert head(db) == (seq, last)


def test_verify_names_a_record_edited_behind_the_apps_back(db):
    _, middle, _ = append(db)
    with db.uow() as uow:
        unguard_audit(uow.session)
        uow.session.execute(
            text("UPDATE audit_record SET details = :d WHERE chain = '' AND seq = :seq"),
            {"d": '{"amount":"9000.00"}', "seq": middle},
        )
        uow.commit()
    result = report(db)
    assert (result.broken_seq, result.reason) == (middle, "its hash does not match its contents")


def test_verify_names_a_record_rewritten_with_a_fresh_hash(db):
    _, middle, _ = append(db)
    with db.uow() as uow:
        unguard_audit(uow.session)
        record = uow.session.get_one(AuditRecord, ("", middle))
        record.actor = "mallory"
        record.hash = record_hash(
            seq=record.seq,
            at=record.at,
            actor=record.actor,
            role=record.role,
            action=record.action,
            target=record.target,
            details=record.details,
            request_id=record.request_id,
            client_addr=record.client_addr,
            prev_hash=record.prev_hash,
        )
        uow.commit()
    assert report(db).broken_seq == middle


def test_verify_notices_a_deleted_record(db):
    _, middle, _ = append(db)
    with db.uow() as uow:
        unguard_audit(uow.session)
        uow.session.execute(
            text("DELETE FROM audit_record WHERE chain = '' AND seq = :seq"), {"seq": middle}
        )
        uow.commit()
    result = report(db)
    assert result.broken_seq == middle and "missing" in (result.reason or "")


def test_verify_notices_the_last_record_deleted(db):
    *_, last = append(db)
    with db.uow() as uow:
        unguard_audit(uow.session)
        uow.session.execute(
            text("DELETE FROM audit_record WHERE chain = '' AND seq = :seq"), {"seq": last}
        )
        uow.commit()
    assert report(db).broken_seq == last


def test_ten_concurrent_writers_keep_the_chain_a_line(committed_db):
    before, _ = head(committed_db)
    errors: list[BaseException] = []
    start = threading.Barrier(10)

    def writer(n: int) -> None:
        def work(uow):
            append_audit(uow.session, actor=Actor(f"writer-{n}", "clerk"), action=f"write {n}")
            uow.commit()

        try:
            start.wait()
            run_in_transaction(committed_db, work)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    after, _ = head(committed_db)
    assert after == before + 10
    with committed_db.read() as session:
        actors = session.scalars(
            select(AuditRecord.actor)
            .where(AuditRecord.chain == "", AuditRecord.seq > before)
            .order_by(AuditRecord.seq)
        ).all()
        assert sorted(actors) == sorted(f"writer-{n}" for n in range(10))
        assert verify(session).ok


def test_each_fund_keeps_its_own_chain(db):
    """A fund's first write starts its chain at 1 from the genesis hash; chains never mix."""
    system_before = head(db)
    for chain in ("F-A", "F-B", "F-A"):
        with db.uow() as uow:
            append_audit(uow.session, chain=chain, actor=CLERK, action=f"write in {chain}")
            uow.commit()
    with db.read() as session:
        assert chain_head(session, "F-A")[0] == 2
        assert chain_head(session, "F-B")[0] == 1
        assert chain_head(session, "F-C") == (0, "0" * 64)
        assert chain_head(session) == system_before
        first_b = session.get_one(AuditRecord, ("F-B", 1))
        assert first_b.prev_hash == "0" * 64
        reports = {r.chain: r for r in verify_all(session)}
        assert {"", "F-A", "F-B"} <= set(reports)
        assert all(r.ok for r in reports.values())
        assert (reports["F-A"].records, reports["F-B"].records) == (2, 1)


def test_tampering_in_one_funds_chain_is_named_there_and_nowhere_else(db):
    for chain in ("F-A", "F-A", "F-A", "F-B"):
        with db.uow() as uow:
            append_audit(uow.session, chain=chain, actor=CLERK, action="write")
            uow.commit()
    with db.uow() as uow:
        unguard_audit(uow.session)
        uow.session.execute(
            text("UPDATE audit_record SET actor = 'mallory' WHERE chain = 'F-A' AND seq = 2")
        )
        uow.commit()
    with db.read() as session:
        reports = {r.chain: r for r in verify_all(session)}
    assert (reports["F-A"].broken_seq, reports["F-A"].reason) == (
        2,
        "its hash does not match its contents",
    )
    assert reports["F-B"].ok and reports[""].ok


def test_a_chain_starts_only_at_the_genesis_hash(db):
    refused(db, "INSERT INTO audit_head (chain, seq, hash) VALUES ('F-X', 0, :h)", h="1" * 64)
    refused(db, "INSERT INTO audit_head (chain, seq, hash) VALUES ('F-X', 3, :h)", h="0" * 64)
    # A record cannot start a chain that has no head.
    refused(
        db,
        "INSERT INTO audit_record (chain, seq, at, actor, role, action, details, prev_hash, hash) "
        "VALUES ('F-Y', 1, :at, 'm', 'admin', 'forged', '{}', :prev, :hash)",
        at=datetime(2030, 1, 1, tzinfo=UTC),
        prev="0" * 64,
        hash="f" * 64,
    )


def test_a_writer_of_one_fund_does_not_wait_for_a_writer_of_another(committed_db):
    """Fund A's head held by an open transaction; fund B's write goes through at once."""
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes every writer behind BEGIN IMMEDIATE by design")
    suffix = datetime.now(UTC).strftime("%H%M%S%f")
    a, b = f"A{suffix}", f"B{suffix}"
    for chain in (a, b):  # both chains exist before the race
        with committed_db.uow() as uow:
            append_audit(uow.session, chain=chain, actor=CLERK, action="open")
            uow.commit()
    holder = committed_db.uow()
    with holder:
        append_audit(holder.session, chain=a, actor=CLERK, action="holds A's head")
        with committed_db.uow() as other:
            other.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            append_audit(other.session, chain=b, actor=CLERK, action="writes B")
            other.commit()
        # Fund A's second writer would wait: its head is taken.
        with committed_db.uow() as blocked, pytest.raises(OperationalError):
            blocked.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
            append_audit(blocked.session, chain=a, actor=CLERK, action="waits for A")
    with committed_db.read() as session:
        assert chain_head(session, b)[0] == 2
        assert chain_head(session, a)[0] == 1
        assert verify(session, a).ok and verify(session, b).ok
