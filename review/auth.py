"""Reviewer credentials: argon2id password hashes and hashed, expiring session tokens.

No database access here; `review.store.Store` persists what these functions produce.  Passwords
and raw tokens are never stored, logged or put in exception messages.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from review.rules import AuthError

# argon2-cffi's defaults follow RFC 9106's second recommended option (t=3, m=64 MiB, p=4).
DEFAULT_HASHER = PasswordHasher()
# For tests only: the same algorithm with minimal cost so suites stay fast on 2 cores.
FAST_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # argon2 accepts more, but an unbounded input is a DoS lever
SESSION_TTL_SECONDS = 8 * 3600  # one working shift
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@'-]{0,63}$")


def check_reviewer_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not _NAME.match(clean):
        raise AuthError(
            f"Invalid reviewer name {clean!r}.",
            hint="Use 1-64 letters, digits, spaces or . _ @ ' - (starting with a letter or digit).",
        )
    return clean


def check_new_password(password: str | None) -> str:
    if not password or not password.strip():
        raise AuthError(
            "A reviewer password is required.", hint="Set MEDCITE_REVIEW__REVIEWER_PASSWORD or type one."
        )
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError(f"The password is too short; use at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AuthError(f"The password is too long; use at most {MAX_PASSWORD_CHARS} characters.")
    return password


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    """argon2id hash (PHC string with its own salt and parameters)."""
    return hasher.hash(check_new_password(password))


def verify_password(
    stored_hash: str | None, password: str | None, hasher: PasswordHasher = DEFAULT_HASHER
) -> bool:
    """True when `password` matches `stored_hash`.  With no stored hash (unknown reviewer) a dummy
    hash is still verified so the time taken does not reveal which reviewer names exist."""
    if not password or len(password) > MAX_PASSWORD_CHARS:
        return False
    target = stored_hash or _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    try:
        ok = hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(ok and stored_hash)


def needs_rehash(stored_hash: str, hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class NewSession:
    token: str  # give to the browser; only its hash is stored
    token_hash: str


def new_session_token() -> NewSession:
    """256-bit random token; stored as SHA-256 (a fast hash is fine for high-entropy secrets)."""
    token = secrets.token_urlsafe(32)
    return NewSession(token=token, token_hash=token_hash(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
