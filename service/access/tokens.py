"""API tokens: created once, stored as a SHA-256, revocable, with an expiry.

The token itself is shown once, at creation (``obsportal token create``); the
database only keeps its hash, so a stolen database dump holds no usable token.
Tokens are 256 random bits, so an unsalted fast hash is the right tool (there
is nothing to brute-force, unlike a password).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ...schema.access import API_TOKEN, USER_ACCOUNT
from ...schema.sql import stored_table
from .identity import Identity, load_identity

#: Visible prefix so a leaked token is recognisable (e.g. by secret scanners).
PREFIX = "obsp_"


class TokenError(Exception):
    """The presented token is unknown, revoked or expired (message for the caller)."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _tables(dialect: str) -> tuple[sa.Table, sa.Table]:
    return stored_table(API_TOKEN, dialect), stored_table(USER_ACCOUNT, dialect)


def create_token(conn: sa.Connection, user_name: str, *, days: float | None = 90,
                 label: str | None = None) -> tuple[int, str]:
    """(token id, the token) for ``user_name``; ``days=None`` never expires."""
    tokens, users = _tables(conn.dialect.name)
    user_id = conn.execute(sa.select(users.c.user_id).where(users.c.name == user_name)
                           ).scalar_one_or_none()
    if user_id is None:
        raise LookupError(f"no user {user_name!r}")
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token_id = conn.execute(sa.insert(tokens).values(
        user_id=user_id, token_hash=token_hash(token), label=label, created=now,
        expires=None if days is None else now + timedelta(days=days)
    ).returning(tokens.c.token_id)).scalar_one()
    return int(token_id), token


def revoke_token(conn: sa.Connection, token_id: int) -> bool:
    """Revoke a token now; False when there is no such valid token."""
    tokens, _users = _tables(conn.dialect.name)
    done = conn.execute(sa.update(tokens).where(tokens.c.token_id == token_id,
                                                tokens.c.revoked.is_(None))
                        .values(revoked=utcnow()))
    return bool(done.rowcount)


def list_tokens(conn: sa.Connection, user_name: str | None = None) -> list[dict[str, object]]:
    """Tokens (never their value) with owner, label, dates and state."""
    tokens, users = _tables(conn.dialect.name)
    query = (sa.select(tokens.c.token_id, users.c.name.label("user"), tokens.c.label,
                       tokens.c.created, tokens.c.expires, tokens.c.revoked)
             .join(users, users.c.user_id == tokens.c.user_id).order_by(tokens.c.token_id))
    if user_name:
        query = query.where(users.c.name == user_name)
    return [dict(r) for r in conn.execute(query).mappings()]


def authenticate(conn: sa.Connection, token: str) -> Identity:
    """The identity a token stands for; :class:`TokenError` when it is not valid now."""
    tokens, _users = _tables(conn.dialect.name)
    row = conn.execute(sa.select(tokens.c.user_id, tokens.c.expires, tokens.c.revoked)
                       .where(tokens.c.token_hash == token_hash(token))).first()
    if row is None:
        raise TokenError("unknown API token")
    if row.revoked is not None:
        raise TokenError("this API token has been revoked")
    if row.expires is not None and row.expires <= utcnow():
        raise TokenError("this API token has expired")
    identity = load_identity(conn, user_id=int(row.user_id))
    if identity is None:  # the user was deleted: the token dies with them
        raise TokenError("unknown API token")
    return identity
