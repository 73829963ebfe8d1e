"""Server hardening for `medcite serve` (issue 9 item 5), kept apart from the page layout.

- `check_bind(host, auth_users)`: loopback needs nothing; any other address needs authentication.
- `RateLimiter`: a token bucket per client address with a clear "slow down" message.
- `BodySizeLimit`: ASGI middleware refusing request bodies over `max_request_bytes` (HTTP 413).
- `QuestionGate`: rate limit + `medcite.input_guard.check_question`, the one call the web handlers make.
- `launch_options(settings, host)`: the extra `gr.Blocks.launch` keyword arguments these imply.

Everything is pure or plain ASGI, so it is tested without starting Gradio.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from medcite.errors import MedCiteError
from medcite.input_guard import check_question
from medcite.settings import Settings

__all__ = [
    "BodySizeLimit",
    "QuestionGate",
    "RateLimitedError",
    "RateLimiter",
    "check_bind",
    "client_key",
    "is_loopback",
    "launch_options",
    "parse_auth_users",
]


class RateLimitedError(MedCiteError):
    """The client asked too often; `retry_after` is the wait in seconds."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            f"You are sending questions too quickly. Please slow down and try again in {seconds} s.",
        )
        self.retry_after = seconds


# --- binding and authentication ---------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, 'localhost')."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere: treat as exposed


def parse_auth_users(value: Any) -> list[tuple[str, str]]:
    """`"alice:pw1, bob:pw2"` (a str or pydantic SecretStr) as [(user, password)]; malformed pairs raise
    MedCiteError naming the entry's position, never its text (it holds a password)."""
    if value is None:
        return []
    raw = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    pairs: list[tuple[str, str]] = []
    for i, item in enumerate(p.strip() for p in raw.split(",")):
        if not item:
            continue
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            raise MedCiteError(
                f"MEDCITE_SERVER__AUTH_USERS entry {i + 1} is not of the form user:password.",
                hint="Set MEDCITE_SERVER__AUTH_USERS='alice:long-password' (comma-separate several users).",
            )
        pairs.append((user.strip(), password))
    return pairs


def check_bind(host: str, auth_users: Any) -> list[tuple[str, str]]:
    """The users to authenticate; refuses a non-loopback `host` when none are configured."""
    users = parse_auth_users(auth_users)
    if not users and not is_loopback(host):
        raise MedCiteError(
            f"Refusing to serve on {host}: other machines could reach MedCite without a login.",
            hint="Set MEDCITE_SERVER__AUTH_USERS='user:password' to require a login, or serve on 127.0.0.1 "
            "(the default) and put an authenticating proxy in front.",
        )
    return users


# --- rate limiting ----------------------------------------------------------------------------


class RateLimiter:
    """Token bucket per key: `burst` requests at once, refilled at `per_minute`; 0 disables it.

    Memory is bounded: when more than `max_keys` clients are tracked, full buckets (clients idle long
    enough to have refilled) are forgotten, which changes nothing for them.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def try_acquire(self, key: str) -> float:
        """Take one token: 0.0 when admitted, else the seconds until a token is available."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > self.max_keys:
                self._forget_full(now)
        return wait

    def admit(self, key: str) -> None:
        """Take one token or raise `RateLimitedError` with the wait."""
        wait = self.try_acquire(key)
        if wait > 0:
            raise RateLimitedError(wait)

    def _forget_full(self, now: float) -> None:
        for k, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.burst:
                del self._buckets[k]


def client_key(request: Any) -> str:
    """The rate-limit key of a Gradio/Starlette request: the client's address (not the session hash,
    which the client chooses and could change on every call)."""
    inner = getattr(request, "request", None) or request
    client = getattr(inner, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return str(host or "unknown")


class QuestionGate:
    """What every web entry point does with a question before answering it."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_chars = settings.limits.max_question_chars
        self.limiter = RateLimiter(
            settings.limits.rate_limit_per_minute, settings.limits.rate_limit_burst, clock=clock
        )

    def admit(self, question: Any, request: Any = None) -> str:
        """The cleaned question; raises InvalidQuestionError or RateLimitedError (both MedCiteError).
        Invalid questions are refused before they cost a token."""
        text = check_question(question, self.max_chars)
        self.limiter.admit(client_key(request))
        return text


# --- request size -----------------------------------------------------------------------------


class BodySizeLimit:
    """ASGI middleware: answer 413 when a request body is larger than `max_bytes`, whether announced
    by Content-Length or streamed (chunked) past the limit; the app never sees the oversized body."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True  # a malformed length is not worth guessing about
                if too_big:
                    await self._refuse(send)
                    return
        received = 0
        refused = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, refused
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            if refused:
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = (
            b'{"error": "Request too large. Ask one short question at a time '
            b'(the server limits request size)."}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


def launch_options(settings: Settings, host: str) -> dict[str, Any]:
    """Keyword arguments for `gr.Blocks.launch`: authentication (required off loopback), the request
    size limit as middleware, and Gradio's own upload limit."""
    from starlette.middleware import Middleware

    users = check_bind(host, settings.server.auth_users)
    return {
        "auth": users or None,
        "app_kwargs": {
            "middleware": [Middleware(BodySizeLimit, max_bytes=settings.limits.max_request_bytes)]
        },
        "max_file_size": settings.limits.max_request_bytes,
    }
