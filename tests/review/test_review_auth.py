"""Reviewer accounts and sessions: hashed passwords, refusals for anonymous and wrong callers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from review.auth import FAST_TEST_HASHER
from review.rules import AuthError
from review.store import Store


def test_password_is_stored_only_as_argon2(store: Store, reviewer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.is_file())
    assert pw.encode() not in raw
    import sqlite3

    conn = sqlite3.connect(store.path)
    (hashed,) = conn.execute("SELECT password_hash FROM reviewers").fetchone()
    conn.close()
    assert hashed.startswith("$argon2id$")
    assert store.list_reviewers()[0][0] == name


def test_verify_reviewer(store: Store, reviewer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    assert store.verify_reviewer(name, pw)
    assert store.verify_reviewer(name.upper(), pw)  # names are case-insensitive
    assert not store.verify_reviewer(name, pw + "x")
    assert not store.verify_reviewer("Nobody", pw)
    assert not store.verify_reviewer(name, "")
    assert not store.verify_reviewer(None, pw)


def test_bad_new_reviewers_refused(store: Store, reviewer) -> None:  # type: ignore[no-untyped-def]
    name, _ = reviewer
    with pytest.raises(AuthError, match="already exists"):
        store.add_reviewer(name.lower(), "another password")
    with pytest.raises(AuthError, match="too short"):
        store.add_reviewer("Dr B", "short")
    with pytest.raises(AuthError, match="required"):
        store.add_reviewer("Dr B", "   ")
    with pytest.raises(AuthError, match="Invalid reviewer name"):
        store.add_reviewer("<script>", "long enough password")


@pytest.mark.parametrize(
    "creds",
    [
        {},
        {"reviewer": "Dr Ada Lovelace"},
        {"password": "correct horse battery"},
        {"reviewer": "Dr Ada Lovelace", "password": "wrong password!"},
        {"reviewer": "Nobody", "password": "correct horse battery"},
        {"token": "forged-token"},
    ],
)
def test_status_changes_need_a_verified_reviewer(store: Store, reviewer, make_answer, creds) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    with pytest.raises(AuthError):
        store.set_status(aid, "Under Review", **creds)
    assert store.get_record(aid).status == "Submitted"
    assert len(store.history(aid)) == 1


def test_session_tokens(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    with pytest.raises(AuthError, match="Wrong reviewer name or password"):
        store.login(name, "nope nope nope")
    token = store.login(name.lower(), pw)
    assert store.reviewer_for_token(token) == name
    aid = store.save_answer(make_answer())
    event = store.set_status(aid, "Under Review", token=token)
    assert event.reviewer == name
    store.add_reviewer("Dr Grace Hopper", "another long password")
    with pytest.raises(AuthError, match="another reviewer"):
        store.set_status(aid, "Approved", token=token, reviewer="Dr Grace Hopper")
    store.logout(token)
    assert store.reviewer_for_token(token) is None
    with pytest.raises(AuthError, match="expired or is not valid"):
        store.set_status(aid, "Approved", token=token)
    # the token itself is never stored, only its hash
    assert token.encode() not in store.path.read_bytes()


def test_sessions_expire(tmp_path: Path, make_answer) -> None:  # type: ignore[no-untyped-def]
    clock = [datetime(2025, 1, 1, 9, 0, tzinfo=UTC)]
    store = Store(
        tmp_path / "a.sqlite", hasher=FAST_TEST_HASHER, now=lambda: clock[0], session_ttl=timedelta(hours=1)
    )
    store.add_reviewer("Dr A", "password 1234")
    token = store.login("Dr A", "password 1234")
    clock[0] += timedelta(minutes=59)
    assert store.reviewer_for_token(token) == "Dr A"
    clock[0] += timedelta(minutes=2)
    assert store.reviewer_for_token(token) is None
    aid = store.save_answer(make_answer())
    with pytest.raises(AuthError, match="Sign in again"):
        store.set_status(aid, "Under Review", token=token)


def test_password_never_in_error_text(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, _ = reviewer
    secret = "my secret password"
    aid = store.save_answer(make_answer())
    with pytest.raises(AuthError) as info:
        store.set_status(aid, "Under Review", reviewer=name, password=secret)
    assert secret not in str(info.value)
