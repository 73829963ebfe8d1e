"""Server hardening (issue 9 item 5): loopback by default, authentication required elsewhere, request
size limits, per-client rate limiting, passwords never logged, MEDCITE_SERVER__STORE_QUESTIONS=false
honoured."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rel_support import QUESTION, serve_real
from test_bad_questions import api_call

from medcite.errors import MedCiteError
from medcite.settings import Settings, load_settings
from ui.hardening import (
    BodySizeLimit,
    QuestionGate,
    RateLimitedError,
    RateLimiter,
    check_bind,
    is_loopback,
    parse_auth_users,
)

PASSWORD = "Zq8-very-secret-PASSWORD-77"


# --- binding and authentication ---------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_authentication(host: str) -> None:
    assert is_loopback(host)
    assert check_bind(host, None) == []


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org", "10.0.0.1"])
def test_other_addresses_are_refused_without_authentication(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(MedCiteError, match="Refusing to serve") as info:
        check_bind(host, None)
    assert "MEDCITE_SERVER__AUTH_USERS" in str(info.value)
    assert check_bind(host, f"alice:{PASSWORD}") == [("alice", PASSWORD)]


def test_auth_users_parsing_never_echoes_the_secret() -> None:
    assert parse_auth_users(f"alice:{PASSWORD}, bob:pw:with:colons") == [
        ("alice", PASSWORD),
        ("bob", "pw:with:colons"),
    ]
    with pytest.raises(MedCiteError) as info:
        parse_auth_users(f"alice:{PASSWORD},{PASSWORD}")
    assert PASSWORD not in str(info.value) and "entry 2" in str(info.value)


def test_serve_refuses_a_public_address_before_building_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ui.app

    def boom(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the app must not be built")

    monkeypatch.setattr(ui.app, "build_app", boom)
    settings = load_settings(home=tmp_path, index={"embedding_model": "fake"})
    with pytest.raises(MedCiteError, match="Refusing to serve on 0.0.0.0"):
        ui.app.serve(settings, host="0.0.0.0")


def test_cli_serve_on_a_public_address_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "MEDCITE_HOME": str(tmp_path), "MEDCITE_INDEX__EMBEDDING_MODEL": "fake"}
    env.pop("MEDCITE_SERVER__AUTH_USERS", None)
    code = "import sys; from medcite.cli import main; sys.argv[0] = 'medcite'; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "serve", "--host", "0.0.0.0"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: Refusing to serve on 0.0.0.0")
    assert "MEDCITE_SERVER__AUTH_USERS" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_configured_authentication_is_enforced(indexed: Settings) -> None:
    import httpx

    settings = indexed.replace(server={"auth_users": parse_auth_users_secret(f"alice:{PASSWORD}")})
    with serve_real(settings) as served:
        anonymous = httpx.post(f"{served.url}gradio_api/call/ask", json={"data": [QUESTION]}, timeout=30)
        assert anonymous.status_code in (401, 403)
        with httpx.Client(timeout=30) as client:
            bad = client.post(f"{served.url}login", data={"username": "alice", "password": "wrong"})
            assert bad.status_code in (400, 401)
            ok = client.post(f"{served.url}login", data={"username": "alice", "password": PASSWORD})
            assert ok.status_code == 200
            post = client.post(f"{served.url}gradio_api/call/ask", json={"data": [QUESTION]})
            assert post.status_code == 200 and "event_id" in post.json()


def parse_auth_users_secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)


# --- request size -----------------------------------------------------------------------------


def _asgi_call(middleware: BodySizeLimit, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> dict:
    sent: list[dict] = []
    last = len(chunks) - 1
    queue = [{"type": "http.request", "body": c, "more_body": i < last} for i, c in enumerate(chunks)]

    async def receive() -> dict:
        return queue.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(middleware({"type": "http", "headers": headers}, receive, send))
    return {"status": sent[0]["status"], "body": b"".join(m.get("body", b"") for m in sent[1:])}


async def _echo_app(scope: dict, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"%d" % len(body)})


def test_body_size_limit_announced_and_streamed() -> None:
    limited = BodySizeLimit(_echo_app, max_bytes=100)
    assert _asgi_call(limited, [b"x" * 100], [(b"content-length", b"100")]) == {"status": 200, "body": b"100"}
    announced = _asgi_call(limited, [b"x" * 101], [(b"content-length", b"101")])
    assert announced["status"] == 413 and b"too large" in announced["body"]
    streamed = _asgi_call(limited, [b"x" * 60, b"x" * 60], [(b"transfer-encoding", b"chunked")])
    assert streamed["status"] == 413
    assert _asgi_call(limited, [b"x"], [(b"content-length", b"abc")])["status"] == 413


def test_server_refuses_an_oversized_request(served: Any, indexed: Settings) -> None:
    body = json.dumps({"data": ["a" * (indexed.limits.max_request_bytes + 10), "clinician", []]}).encode()
    status, text = api_call(served.url, body)
    assert status == 413 and "too large" in text


def test_server_refuses_a_question_over_the_length_limit(served: Any, indexed: Settings) -> None:
    body = json.dumps({"data": ["why " * indexed.limits.max_question_chars, "clinician", []]}).encode()
    assert len(body) < indexed.limits.max_request_bytes  # under the body limit: the question limit answers
    status, events = api_call(served.url, body)
    assert "event: error" in events and "too long" in events


# --- rate limiting ----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)  # one token every 10 s
    assert [limiter.try_acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.try_acquire("a") == pytest.approx(10.0)
    assert limiter.try_acquire("b") == 0.0  # clients have separate buckets
    clock.now += 5
    with pytest.raises(RateLimitedError, match="slow down") as info:
        limiter.admit("a")
    assert info.value.retry_after == 5
    clock.now += 5
    limiter.admit("a")
    clock.now += 3600
    assert [limiter.try_acquire("a") for _ in range(4)][-1] > 0  # never more than the burst saved up


def test_rate_limiter_off_and_bounded_memory() -> None:
    assert RateLimiter(per_minute=0, burst=1).try_acquire("a") == 0.0
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock, max_keys=10)
    for i in range(10):
        limiter.try_acquire(f"client-{i}")
    clock.now += 60  # everyone has refilled
    limiter.try_acquire("one-more")
    assert len(limiter._buckets) <= 2


def test_gate_rejects_invalid_questions_without_spending_a_token(indexed: Settings) -> None:
    clock = FakeClock()
    strict = indexed.replace(limits={"rate_limit_per_minute": 1, "rate_limit_burst": 1})
    gate = QuestionGate(strict, clock=clock)
    for _ in range(5):
        with pytest.raises(MedCiteError, match="empty"):
            gate.admit("   ")
    assert gate.admit(QUESTION) == QUESTION
    with pytest.raises(RateLimitedError):
        gate.admit(QUESTION)


def test_server_tells_a_fast_client_to_slow_down(indexed: Settings) -> None:
    settings = indexed.replace(limits={"rate_limit_per_minute": 1, "rate_limit_burst": 2})
    with serve_real(settings) as served:
        body = json.dumps({"data": [QUESTION, "clinician", []]}).encode()
        results = [api_call(served.url, body)[1] for _ in range(3)]
    assert all("event: error" not in r for r in results[:2])
    assert "event: error" in results[2] and "slow down" in results[2]


# --- secrets and privacy ----------------------------------------------------------------------


def test_reviewer_passwords_are_never_logged(
    indexed: Settings, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from review.store import Store

    caplog.set_level(logging.DEBUG)
    store = Store(tmp_path / "app.sqlite")
    store.add_reviewer("alice", PASSWORD)
    token = store.login("alice", PASSWORD)
    with pytest.raises(MedCiteError):
        store.login("alice", PASSWORD + "-wrong")
    store.logout(token)
    out = capsys.readouterr()
    logged = caplog.text + out.out + out.err
    assert PASSWORD not in logged
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert PASSWORD.encode() not in raw  # only an argon2 hash is stored


def test_cli_reviewer_add_and_settings_never_print_passwords(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MEDCITE_HOME": str(tmp_path),
        "MEDCITE_INDEX__EMBEDDING_MODEL": "fake",
        "MEDCITE_REVIEW__REVIEWER_PASSWORD": PASSWORD,
        "MEDCITE_SERVER__AUTH_USERS": f"alice:{PASSWORD}",
    }
    code = "import sys; from medcite.cli import main; sys.argv[0] = 'medcite'; main()"
    for args in (["reviewer", "add", "alice"], ["settings"], ["settings", "--json"], ["reviewer", "list"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        assert PASSWORD not in proc.stdout + proc.stderr


def test_store_questions_false_keeps_questions_out_of_database_and_logs(
    indexed: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    private_question = "What is the treatment for dermatomyositis in my neighbour Zebulon Quixote?"
    settings = indexed.replace(home=tmp_path / "private-home", server={"store_questions": False})
    # share the built index (read-only use) but keep a separate app database
    (tmp_path / "private-home").mkdir()
    (tmp_path / "private-home" / "index").symlink_to(indexed.index_dir, target_is_directory=True)
    caplog.set_level(logging.DEBUG)
    with serve_real(settings) as served:
        body = json.dumps({"data": [private_question, "clinician", []]}).encode()
        status, events = api_call(served.url, body)
        assert status == 200 and "event: complete" in events
        answer_id = json.loads(events.split("data: ", 1)[1].strip())[0]["answer_id"]
        served.store.add_feedback(answer_id, -1, f"about {private_question}")
        assert served.store.count("answers") == 1 and served.store.count("feedback") == 1
    db_bytes = b"".join(
        p.read_bytes() for p in (tmp_path / "private-home").iterdir() if p.is_file() and "sqlite" in p.name
    )
    assert b"Zebulon" not in db_bytes
    assert "Zebulon" not in caplog.text
