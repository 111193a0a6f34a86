"""Money-moving POSTs with an Idempotency-Key post once (SPEC §11).

The same key and body replay the first answer (``Idempotent-Replayed:
true``) and post nothing more; the key with another body is a 422; a
refused request gives its key back.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ledger.db import UnitOfWork
from ledger.errors import RuleViolated
from ledger.models import AuditRecord, IdempotencyRecord
from ledger.services import loans
from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World


def journals(county: County, world: World) -> int:
    return int(county.get("clerk", f"{world.f}/journals", per_page=1).headers["X-Total-Count"])


def audited(api_app, key: str) -> int:
    with api_app.extensions["ledger_db"].read() as session:
        return session.scalar(select(func.count()).where(AuditRecord.details.contains(key))) or 0


@pytest.mark.parametrize(
    ("who", "path", "body"),
    [
        ("clerk", "appropriations", {"date": "2007-06-01", "amount": "10.00", "source": "city"}),
        ("clerk", "allocations", {"date": "2007-06-01", "township": TOWN_A, "amount": "10.00"}),
        ("township_a", "remittances", {"date": "2007-06-02", "township": TOWN_A, "amount": "1.00"}),
        ("township_a", "loans/{loan_a}/repayments", {"date": "2008-01-05", "amount": "1.00"}),
        ("clerk", "loans/{loan_a}/repayments", {"date": "2008-01-06", "amount": "1.00"}),
    ],
)
def test_the_same_post_twice_posts_once(county, world, api_app, who, path, body):
    url = f"{world.f}/{path.format(loan_a=world.loan_a)}"
    key = uuid.uuid4().hex
    before = journals(county, world)
    first = county.post(who, url, body, key=key)
    assert "Idempotent-Replayed" not in first.headers
    assert first.get_json()["voucher"]
    again = county.post(who, url, body, key=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    assert journals(county, world) == before + 1
    assert audited(api_app, key) == 1  # the replay wrote nothing, not even an audit record


def test_without_a_key_the_same_post_twice_posts_twice(county, world):
    body = {"date": "2007-06-03", "amount": "1.00", "source": "city"}
    before = journals(county, world)
    first = county.create("clerk", f"{world.f}/appropriations", body)
    second = county.create("clerk", f"{world.f}/appropriations", body)
    assert first["voucher"] != second["voucher"]
    assert journals(county, world) == before + 2


def test_the_key_with_another_body_is_422_and_posts_nothing(county, world):
    url, key = f"{world.f}/appropriations", uuid.uuid4().hex
    county.post("clerk", url, {"date": "2007-06-04", "amount": "1.00", "source": "city"}, key=key)
    before = journals(county, world)
    other = county.post(
        "clerk",
        url,
        {"date": "2007-06-04", "amount": "2.00", "source": "city"},
        status=None,
        key=key,
    )
    body = assert_problem(other, 422, "idempotency-key-reused")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert journals(county, world) == before


def test_keys_belong_to_their_user(county, world):
    url, key = f"{world.f}/appropriations", uuid.uuid4().hex
    body = {"date": "2007-06-05", "amount": "1.00", "source": "city"}
    first = county.post("clerk", url, body, key=key)
    second = county.post("clerk2", url, body, key=key)
    assert "Idempotent-Replayed" not in second.headers
    assert first.get_json()["voucher"] != second.get_json()["voucher"]


def test_a_refused_post_gives_its_key_back(county, world):
    url, key = f"{world.f}/loans/{world.loan_a}/repayments", uuid.uuid4().hex
    before = journals(county, world)
    too_much = county.post(
        "clerk", url, {"date": "2008-01-07", "amount": "99999.00"}, status=409, key=key
    )
    assert too_much.get_json()["code"] == "overpayment"
    fixed = county.post("clerk", url, {"date": "2008-01-07", "amount": "2.00"}, key=key)
    assert "Idempotent-Replayed" not in fixed.headers
    assert journals(county, world) == before + 1


def test_a_proposal_decision_replayed_decides_once(county, world):
    """Not only money: a decision retried with its key is answered, not refused as decided."""
    change = county.create(
        "clerk",
        f"{world.f}/write-offs",
        {
            "loan": world.loan_b,
            "amount": "1.00",
            "ground": "other",
            "reason": "测试",
            "date": "2008-02-01",
        },
    )
    url, key = f"{world.f}/write-offs/{change['id']}/decision", uuid.uuid4().hex
    body = {"approve": False, "note": "证据不足", "date": "2008-02-02"}
    first = county.post("approver", url, body, key=key)
    again = county.post("approver", url, body, key=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and first.get_json()["status"] == "rejected"
    county.post("approver", url, body, status=409)  # without the key: already decided


def test_ten_identical_repayments_at_once_post_once(api_app, county, world):
    url = f"{world.f}/loans/{world.loan_b}/repayments"
    body, key = {"date": "2008-01-08", "amount": "3.00"}, uuid.uuid4().hex
    headers = county.headers("township_b", key)
    before = journals(county, world)
    start = threading.Barrier(10)
    answers: list = []

    def send() -> None:
        client = api_app.test_client()
        start.wait()
        answers.append(client.post(url, json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert journals(county, world) == before + 1
    assert [r.status_code for r in answers] == [201] * 10
    assert len({r.get_data() for r in answers}) == 1  # the one answer, replayed
    assert sum("Idempotent-Replayed" not in r.headers for r in answers) == 1


def test_a_duplicate_waits_for_the_first_and_replays_its_voucher(
    api_app, county, world, monkeypatch
):
    """The second request blocks on the first's transaction (the key is in it), then replays."""
    url = f"{world.f}/loans/{world.loan_b}/repayments"
    body, key = {"date": "2008-01-09", "amount": "4.00"}, uuid.uuid4().hex
    headers = county.headers("township_b", key)
    before = journals(county, world)
    inside, release = threading.Event(), threading.Event()
    repay = loans.repay_loan
    calls: list[str] = []

    def held_repay(*args, **kwargs):
        calls.append(threading.current_thread().name)
        inside.set()
        assert release.wait(10)
        return repay(*args, **kwargs)

    monkeypatch.setattr(loans, "repay_loan", held_repay)
    answers: dict[str, Any] = {}

    def send(name: str) -> None:
        answers[name] = api_app.test_client().post(url, json=body, headers=headers)

    first = threading.Thread(target=send, args=("first",), name="first")
    second = threading.Thread(target=send, args=("second",), name="second")
    first.start()
    assert inside.wait(10)  # the first holds its transaction, key inserted
    second.start()
    second.join(0.5)
    assert second.is_alive()  # it waits for the first's transaction
    release.set()
    first.join(10)
    second.join(10)
    assert calls == ["first"]  # the second never ran the repayment: it replayed
    assert answers["first"].status_code == answers["second"].status_code == 201
    assert "Idempotent-Replayed" not in answers["first"].headers
    assert answers["second"].headers["Idempotent-Replayed"] == "true"
    assert answers["second"].get_json()["voucher"] == answers["first"].get_json()["voucher"]
    assert journals(county, world) == before + 1


def test_a_request_that_fails_leaves_its_key_free(api_app, county, world, monkeypatch):
    """No record survives a failed write: the retry with the same key runs and posts."""
    url = f"{world.f}/loans/{world.loan_b}/repayments"
    body, key = {"date": "2008-01-10", "amount": "5.00"}, uuid.uuid4().hex
    before = journals(county, world)
    repay = loans.repay_loan

    def repays_then_fails(*args, **kwargs):
        repay(*args, **kwargs)  # the journal is written, then the request fails
        raise RuleViolated("暂时失败", "failed for now")

    monkeypatch.setattr(loans, "repay_loan", repays_then_fails)
    county.post("township_b", url, body, status=422, key=key)
    assert journals(county, world) == before
    with api_app.extensions["ledger_db"].read() as session:
        assert session.scalar(select(func.count()).where(IdempotencyRecord.key == key)) == 0
    monkeypatch.setattr(loans, "repay_loan", repay)
    retried = county.post("township_b", url, body, key=key)
    assert "Idempotent-Replayed" not in retried.headers
    assert retried.get_json()["amount"] == "5.00"
    assert journals(county, world) == before + 1


@pytest.fixture
def lose_a_commit(monkeypatch):
    """The next COMMIT of an audited write loses its connection, after committing or before.

    What a failover does to a request caught in its commit: the client
    cannot be told whether the write is in the book.
    """

    def arm(*, committed: bool) -> list[int]:
        commit, lost = UnitOfWork.commit, []

        def commit_losing_the_answer(uow: UnitOfWork, *last: Any) -> None:
            if lost or not g.get("audited"):  # not the write's own commit (a token's use)
                return commit(uow, *last)
            lost.append(1)
            if committed:
                commit(uow, *last)
            else:
                uow.session.flush()
                uow.commit_sent = True
            raise OperationalError(
                "COMMIT", {}, Exception("server closed the connection"), connection_invalidated=True
            )

        monkeypatch.setattr(UnitOfWork, "commit", commit_losing_the_answer)
        return lost

    return arm


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_commit_lost_in_a_failover_with_a_key_answers_its_one_voucher(
    county, world, lose_a_commit, committed
):
    url = f"{world.f}/loans/{world.loan_a}/repayments"
    body, key = {"date": "2008-01-11", "amount": "6.00"}, uuid.uuid4().hex
    before = journals(county, world)
    lost = lose_a_commit(committed=committed)
    answer = county.post("clerk", url, body, key=key)
    assert lost == [1]
    # The rerun found the key's answer (committed) or posted for the first time: once.
    assert answer.headers.get("Idempotent-Replayed") == ("true" if committed else None)
    assert journals(county, world) == before + 1
    again = county.post("clerk", url, body, key=key)
    assert again.get_json()["voucher"] == answer.get_json()["voucher"]
    assert journals(county, world) == before + 1


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_commit_lost_in_a_failover_without_a_key_is_a_503_never_a_rerun(
    county, world, lose_a_commit, committed
):
    url = f"{world.f}/loans/{world.loan_a}/repayments"
    before = journals(county, world)
    lost = lose_a_commit(committed=committed)
    answer = county.post("clerk", url, {"date": "2008-01-12", "amount": "7.00"}, status=None)
    assert lost == [1]
    problem = assert_problem(answer, 503, "outcome-unknown")
    assert problem["title"] == "结果未知" and "Idempotency-Key" in problem["detail_en"]
    assert answer.headers["Retry-After"] == "1"
    # Not rerun: the book holds what the lost commit did, and nothing more.
    assert journals(county, world) == before + (1 if committed else 0)
