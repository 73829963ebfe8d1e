"""Conversations survive a restart (a new Store on the same file) and can be deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.errors import MedCiteError
from review.auth import FAST_TEST_HASHER
from review.store import Store


def test_conversation_survives_restart_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    first = Store(path, hasher=FAST_TEST_HASHER)
    sid = "b1f2c3d4-browser"
    assert first.append_turn(sid, "user", "What is the treatment for dermatomyositis?") == 0
    assert first.append_turn(sid, "assistant", "Corticosteroids are first-line [1].", "ans-1") == 1
    assert first.append_turn(sid, "user", "and in children?") == 2
    first.append_turn("other-browser-9", "user", "unrelated")
    del first

    restarted = Store(path, hasher=FAST_TEST_HASHER)
    turns = restarted.load_conversation(sid)
    assert [(t.role, t.content, t.answer_id) for t in turns] == [
        ("user", "What is the treatment for dermatomyositis?", None),
        ("assistant", "Corticosteroids are first-line [1].", "ans-1"),
        ("user", "and in children?", None),
    ]
    assert restarted.delete_conversation(sid) is True
    assert restarted.load_conversation(sid) == []
    assert restarted.delete_conversation(sid) is False
    assert len(restarted.load_conversation("other-browser-9")) == 1  # only the user's own is gone
    assert restarted.count("turns") == 1


@pytest.mark.parametrize("bad", ["", "short", "../../etc/passwd", "a" * 200, "id with spaces"])
def test_bad_conversation_ids_refused(store: Store, bad: str) -> None:
    with pytest.raises(MedCiteError, match="Invalid conversation id"):
        store.append_turn(bad, "user", "hi")


def test_bad_role_refused(store: Store) -> None:
    with pytest.raises(MedCiteError, match="role"):
        store.append_turn("browser-session-1", "system", "hi")  # type: ignore[arg-type]
