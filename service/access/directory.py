"""Users, teams, memberships and instrument PIs: the administration behind the CLI and REST."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...schema.access import INSTRUMENT_PI, MEMBERSHIP, TEAM, USER_ACCOUNT
from ...schema.sql import stored_table
from .identity import MEMBER, TEAM_ADMIN
from .tokens import utcnow


class DirectoryError(ValueError):
    """A name is unknown or already taken (message for the operator)."""


def _t(conn: sa.Connection, table: Any) -> sa.Table:
    return stored_table(table, conn.dialect.name)


def _id(conn: sa.Connection, table: Any, key: str, name: str, what: str) -> int:
    t = _t(conn, table)
    found = conn.execute(sa.select(t.c[key]).where(t.c.name == name)).scalar_one_or_none()
    if found is None:
        raise DirectoryError(f"no {what} {name!r}")
    return int(found)


def user_id(conn: sa.Connection, name: str) -> int:
    return _id(conn, USER_ACCOUNT, "user_id", name, "user")


def team_id(conn: sa.Connection, name: str) -> int:
    return _id(conn, TEAM, "team_id", name, "team")


def add_user(conn: sa.Connection, name: str, *, full_name: str | None = None,
             email: str | None = None, site_admin: bool = False) -> int:
    users = _t(conn, USER_ACCOUNT)
    if conn.execute(sa.select(users.c.user_id).where(users.c.name == name)).first():
        raise DirectoryError(f"user {name!r} already exists")
    return int(conn.execute(sa.insert(users).values(
        name=name, full_name=full_name, email=email, site_admin=site_admin, created=utcnow()
    ).returning(users.c.user_id)).scalar_one())


def add_team(conn: sa.Connection, name: str, description: str | None = None) -> int:
    teams = _t(conn, TEAM)
    if conn.execute(sa.select(teams.c.team_id).where(teams.c.name == name)).first():
        raise DirectoryError(f"team {name!r} already exists")
    return int(conn.execute(sa.insert(teams).values(
        name=name, description=description, created=utcnow()
    ).returning(teams.c.team_id)).scalar_one())


def add_member(conn: sa.Connection, team: str, user: str, role: str = MEMBER) -> None:
    """Add (or change the role of) a member; role is ``member`` or ``admin``."""
    if role not in (MEMBER, TEAM_ADMIN):
        raise DirectoryError(f"role must be {MEMBER} or {TEAM_ADMIN}, not {role!r}")
    members = _t(conn, MEMBERSHIP)
    tid, uid = team_id(conn, team), user_id(conn, user)
    conn.execute(sa.delete(members).where(members.c.team_id == tid, members.c.user_id == uid))
    conn.execute(sa.insert(members).values(team_id=tid, user_id=uid, role=role,
                                           created=utcnow()))


def remove_member(conn: sa.Connection, team: str, user: str) -> bool:
    members = _t(conn, MEMBERSHIP)
    done = conn.execute(sa.delete(members).where(members.c.team_id == team_id(conn, team),
                                                 members.c.user_id == user_id(conn, user)))
    return bool(done.rowcount)


def set_instrument_pi(conn: sa.Connection, instrument: str, user: str) -> None:
    pis = _t(conn, INSTRUMENT_PI)
    uid = user_id(conn, user)
    name = instrument.strip().upper()
    conn.execute(sa.delete(pis).where(pis.c.instrument == name))
    conn.execute(sa.insert(pis).values(instrument=name, user_id=uid, since=utcnow()))


def team_members(conn: sa.Connection, tid: int) -> list[dict[str, Any]]:
    users, members = _t(conn, USER_ACCOUNT), _t(conn, MEMBERSHIP)
    rows = conn.execute(sa.select(users.c.name, users.c.full_name, members.c.role,
                                  members.c.created)
                        .join(members, members.c.user_id == users.c.user_id)
                        .where(members.c.team_id == tid).order_by(users.c.name)).mappings()
    return [dict(r) for r in rows]
