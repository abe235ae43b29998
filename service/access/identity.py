"""Who is calling: a user with teams, instrument-PI duties and admin rights, or nobody.

An :class:`Identity` is loaded from the ``auth`` tables on every request (never
cached), so a membership change, a revoked token or an expired one takes effect
on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ...schema.access import INSTRUMENT_PI, MEMBERSHIP, TEAM, USER_ACCOUNT
from ...schema.access_rules import Viewer
from ...schema.sql import stored_table

MEMBER = "member"
TEAM_ADMIN = "admin"


@dataclass(frozen=True)
class Identity:
    """An authenticated user (``user_id`` set) or the anonymous caller."""

    user_id: int | None = None
    name: str | None = None
    site_admin: bool = False
    #: team_id → role in the team ("member" or "admin").
    teams: dict[int, str] = field(default_factory=dict)
    team_names: dict[int, str] = field(default_factory=dict)
    pi_instruments: frozenset[str] = field(default_factory=frozenset)

    @property
    def anonymous(self) -> bool:
        return self.user_id is None

    @property
    def viewer(self) -> Viewer:
        """What the visibility rule needs (the same object on both backends)."""
        return Viewer(user=self.name, teams=frozenset(self.teams),
                      pi_instruments=self.pi_instruments, site_admin=self.site_admin)

    def roles_for(self, team_id: int, instrument: str | None) -> frozenset[str]:
        """Workflow roles of this caller on an object of ``team_id`` and ``instrument``."""
        roles = set()
        if team_id in self.teams:
            roles.add(MEMBER)
            if self.teams[team_id] == TEAM_ADMIN:
                roles.add("team_admin")
        if instrument and instrument.upper() in self.pi_instruments:
            roles.add("instrument_pi")
        if self.site_admin:
            roles.add("site_admin")
        return frozenset(roles)


ANONYMOUS = Identity()


def _tables(dialect: str) -> tuple[sa.Table, sa.Table, sa.Table, sa.Table]:
    return (stored_table(USER_ACCOUNT, dialect), stored_table(MEMBERSHIP, dialect),
            stored_table(TEAM, dialect), stored_table(INSTRUMENT_PI, dialect))


def load_identity(conn: sa.Connection, *, user_id: int | None = None,
                  name: str | None = None) -> Identity | None:
    """The identity of a user by key or name, or None when there is no such user."""
    users, members, teams, pis = _tables(conn.dialect.name)
    query = sa.select(users.c.user_id, users.c.name, users.c.site_admin)
    query = query.where(users.c.user_id == user_id) if user_id is not None \
        else query.where(users.c.name == name)
    user = conn.execute(query).first()
    if user is None:
        return None
    rows = conn.execute(sa.select(members.c.team_id, members.c.role, teams.c.name)
                        .join(teams, teams.c.team_id == members.c.team_id)
                        .where(members.c.user_id == user.user_id)).all()
    instruments = conn.execute(sa.select(pis.c.instrument)
                               .where(pis.c.user_id == user.user_id)).scalars().all()
    return Identity(user_id=int(user.user_id), name=user.name, site_admin=bool(user.site_admin),
                    teams={int(r.team_id): r.role for r in rows},
                    team_names={int(r.team_id): r.name for r in rows},
                    pi_instruments=frozenset(i.upper() for i in instruments))
