"""HTTP authentication: ``Authorization: Bearer TOKEN`` or HTTP Basic with the token
as password (what TOPCAT and pyvo can send); no header means anonymous.

A header that is present but wrong (unknown, revoked or expired token, malformed
header) is refused with 401 rather than silently treated as anonymous: a client
that meant to authenticate must learn that it did not.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from ... import votable
from .identity import ANONYMOUS, Identity
from .tokens import TokenError, authenticate

log = logging.getLogger("obsportal.access")
CHALLENGE = 'Bearer realm="ObsPortal", Basic realm="ObsPortal"'


def _credentials(header: str) -> tuple[str | None, str]:
    """(user name or None, token) from an Authorization header; TokenError if malformed."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return None, value
    if scheme.lower() == "basic" and value:
        try:
            user, sep, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TokenError("malformed Basic credentials") from exc
        if sep and token:
            return user or None, token
    raise TokenError("Authorization must be 'Bearer TOKEN' or Basic with the token as "
                     "password")


def identify(engine: sa.Engine, header: str | None) -> Identity:
    """The caller of a request with this Authorization header (TokenError if invalid)."""
    if not header:
        return ANONYMOUS
    user, token = _credentials(header)
    with engine.connect() as conn:
        identity = authenticate(conn, token)
    if user is not None and user != identity.name:
        raise TokenError(f"this token does not belong to user {user!r}")
    return identity


def unauthorized(path: str, message: str) -> Response:
    """401 in the format the endpoint speaks (DALI error VOTable, problem+json, text)."""
    headers = {"WWW-Authenticate": CHALLENGE}
    if path.startswith("/tap"):
        return Response(votable.error_document(message), status_code=401, headers=headers,
                        media_type="application/x-votable+xml")
    if path.startswith("/api"):
        body = {"type": "about:blank", "title": "Unauthorized", "status": 401,
                "detail": message}
        return Response(json.dumps(body), status_code=401, headers=headers,
                        media_type="application/problem+json")
    return Response(message, status_code=401, headers=headers, media_type="text/plain")


async def authentication_middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Put the caller on ``request.state.identity`` (and its name on ``.user``)."""
    engine: sa.Engine = request.app.state.engine
    header = request.headers.get("authorization")
    try:
        # Anonymous requests (most TAP traffic) need no database and no thread hop.
        identity = ANONYMOUS if not header else await run_in_threadpool(identify, engine,
                                                                         header)
    except TokenError as exc:
        # Never the token itself: only what was refused and why.
        log.info("authentication refused",
                 extra={"path": request.url.path, "reason": str(exc),
                        "client": request.client.host if request.client else None})
        return unauthorized(request.url.path, str(exc))
    request.state.identity = identity
    request.state.user = identity.name
    return await call_next(request)


def caller(request: Request) -> Identity:
    """The identity the middleware found (anonymous outside the middleware)."""
    identity: Identity = getattr(request.state, "identity", ANONYMOUS)
    return identity
