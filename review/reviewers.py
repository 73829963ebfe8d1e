"""Reviewer accounts and sessions: argon2id password hashes, hashed expiring tokens, and the check
that a status change comes from a verified reviewer (`review.auth` holds the pure parts)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from argon2 import PasswordHasher

from review import auth
from review.db import Repository, iso
from review.rules import AuthError


class ReviewerRepository(Repository):
    """The `reviewers` and `reviewer_sessions` tables."""

    hasher: PasswordHasher
    session_ttl: timedelta

    def add_reviewer(self, name: str, password: str) -> str:
        """Create a reviewer; the password is stored only as an argon2id hash."""
        clean = auth.check_reviewer_name(name)
        hashed = auth.hash_password(password, self.hasher)
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM reviewers WHERE name = ?", (clean,)).fetchone():
                raise AuthError(f"Reviewer {clean!r} already exists.")
            conn.execute(
                "INSERT INTO reviewers (name, password_hash, created_at) VALUES (?, ?, ?)",
                (clean, hashed, ts),
            )

        self.db.write(insert)
        return clean

    def list_reviewers(self) -> list[tuple[str, str]]:
        """(name, created_at) pairs; never the hashes."""
        with self.db.read() as conn:
            return [
                (r[0], r[1]) for r in conn.execute("SELECT name, created_at FROM reviewers ORDER BY name")
            ]

    def verify_reviewer(self, name: str | None, password: str | None) -> bool:
        if not name or not password:
            return False
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT name, password_hash FROM reviewers WHERE name = ?", (name.strip(),)
            ).fetchone()
        stored = row["password_hash"] if row else None
        ok = auth.verify_password(stored, password, self.hasher)
        if ok and row is not None and stored and auth.needs_rehash(stored, self.hasher):
            # Parameters were raised since this hash was made: upgrade it while we know the password.
            new_hash = self.hasher.hash(password)
            self.db.write(
                lambda c: c.execute(
                    "UPDATE reviewers SET password_hash = ? WHERE name = ?", (new_hash, row["name"])
                )
            )
        return ok

    def login(self, name: str, password: str) -> str:
        """Verify the reviewer and open a session; returns the raw token (stored only hashed)."""
        if not self.verify_reviewer(name, password):
            raise AuthError("Wrong reviewer name or password.")
        session = auth.new_session_token()
        now = self._now()
        created, expires = iso(now), iso(now + self.session_ttl)

        def insert(conn: sqlite3.Connection) -> None:
            canonical = _canonical_reviewer(conn, name)
            conn.execute("DELETE FROM reviewer_sessions WHERE expires_at <= ?", (created,))
            conn.execute(
                "INSERT INTO reviewer_sessions (token_hash, reviewer, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (session.token_hash, canonical, created, expires),
            )

        self.db.write(insert)
        return session.token

    def reviewer_for_token(self, token: str | None) -> str | None:
        """The signed-in reviewer's name, or None for a missing, unknown or expired token."""
        if not token:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT reviewer FROM reviewer_sessions WHERE token_hash = ? AND expires_at > ?",
                (auth.token_hash(token), self._ts()),
            ).fetchone()
        return row["reviewer"] if row else None

    def logout(self, token: str | None) -> None:
        if token:
            self.db.write(
                lambda c: c.execute(
                    "DELETE FROM reviewer_sessions WHERE token_hash = ?", (auth.token_hash(token),)
                )
            )

    def _authenticate(self, reviewer: str | None, password: str | None, token: str | None) -> str:
        """The verified reviewer's registered name, from a session token or name + password."""
        if token:
            name = self.reviewer_for_token(token)
            if name is None:
                raise AuthError("Your reviewer session has expired or is not valid.", hint="Sign in again.")
            if reviewer and reviewer.strip().casefold() != name.casefold():
                raise AuthError("The session belongs to another reviewer.", hint="Sign in as yourself.")
            return name
        if reviewer and password:
            if not self.verify_reviewer(reviewer, password):
                raise AuthError("Wrong reviewer name or password.")
            with self.db.read() as conn:
                return _canonical_reviewer(conn, reviewer)
        raise AuthError(
            "Only a signed-in reviewer can change a review status.",
            hint="Give --reviewer NAME and the password (or MEDCITE_REVIEWER_PASSWORD), "
            "or sign in to the Review tab.",
        )


def _canonical_reviewer(conn: sqlite3.Connection, name: str) -> str:
    """The reviewer's name as registered (names match case-insensitively)."""
    row = conn.execute("SELECT name FROM reviewers WHERE name = ?", (name.strip(),)).fetchone()
    if row is None:
        raise AuthError("Wrong reviewer name or password.")
    return str(row[0])
