"""The one visibility rule of private rows, written for both backends.

A private row (a plan, a proposal, an audit event, a plan-to-execution link)
is visible to

* members of its team (``team_id`` among the caller's teams),
* site administrators,
* the PI of its instrument once it has been submitted (``submitted_at`` set),
  for plans and proposals,

and to nobody else: anonymous callers and members of other teams see none of
it. Rows linked to a plan (audit events, execution links) are visible exactly
when their plan is.

On PostgreSQL the rule is a row-level security policy reading the caller from
per-transaction settings (:data:`SETTING_TEAMS`, ...) that the service sets
before it switches to the query role: every query shape (joins, sub-queries,
set operations, CTEs, aggregates, uploads) meets the policy inside the
database. On SQLite, which has no row-level security, the ADQL translator and
the REST layer wrap each private table in a sub-query carrying the same
predicate with the caller's values written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .access import PLAN_EVENT, PLAN_EXECUTION, PROPOSAL
from .model import Table
from .obsplan import OBSPLAN
from .sql import POSTGRESQL

#: Per-transaction settings (``set_config(..., true)``) naming the caller on PostgreSQL.
SETTING_USER = "obsportal.user"
SETTING_TEAMS = "obsportal.teams"
SETTING_PI = "obsportal.pi_instruments"
SETTING_ADMIN = "obsportal.site_admin"

#: Roles the service switches to for user queries (read only) and REST writes.
QUERY_ROLE = "obsportal_query"
EDITOR_ROLE = "obsportal_editor"


@dataclass(frozen=True)
class Viewer:
    """What the visibility rule needs to know about a caller."""

    user: str | None = None
    teams: frozenset[int] = field(default_factory=frozenset)
    pi_instruments: frozenset[str] = field(default_factory=frozenset)
    site_admin: bool = False


ANONYMOUS = Viewer()


def _pg_sources() -> tuple[str, str, str]:
    teams = (f"string_to_array(NULLIF(current_setting('{SETTING_TEAMS}', true), ''), ',')"
             "::bigint[]")
    pis = f"string_to_array(NULLIF(current_setting('{SETTING_PI}', true), ''), ',')"
    admin = f"coalesce(current_setting('{SETTING_ADMIN}', true), '') = 'on'"
    return teams, pis, admin


def _sqlite_list(values: list[str]) -> str:
    return f"({', '.join(values)})" if values else "(NULL)"


def _quote_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def team_predicate(alias: str, dialect: str, viewer: Viewer | None = None) -> str:
    """Rows of the caller's teams, or every row for a site admin (the write rule)."""
    if dialect == POSTGRESQL:
        teams, _pis, admin = _pg_sources()
        return f"({alias}.team_id = ANY ({teams}) OR {admin})"
    viewer = viewer or ANONYMOUS
    if viewer.site_admin:
        return "(1 = 1)"
    ids = _sqlite_list([str(int(t)) for t in sorted(viewer.teams)])
    return f"({alias}.team_id IN {ids})"


def _owned_predicate(alias: str, instrument_column: str, dialect: str,
                     viewer: Viewer | None) -> str:
    own = team_predicate(alias, dialect, viewer)
    if dialect == POSTGRESQL:
        _teams, pis, _admin = _pg_sources()
        pi = (f"({alias}.submitted_at IS NOT NULL AND "
              f"upper({alias}.{instrument_column}) = ANY ({pis}))")
    else:
        viewer = viewer or ANONYMOUS
        names = _sqlite_list([_quote_text(i.upper()) for i in sorted(viewer.pi_instruments)])
        pi = (f"({alias}.submitted_at IS NOT NULL AND "
              f"upper({alias}.{instrument_column}) IN {names})")
    return f"({own} OR {pi})"


def _physical(table: Table, dialect: str) -> str:
    schema, name = table.sql_name(dialect)
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def visibility_predicate(table: Table, alias: str, dialect: str,
                         viewer: Viewer | None = None) -> str:
    """SQL condition on ``alias`` (a row of ``table``) true when the caller may see it.

    On PostgreSQL ``viewer`` is ignored: the condition reads the transaction's
    settings (it is the body of the RLS policy). On SQLite the viewer's values
    are written into the SQL as literals (integers and escaped strings only).
    """
    if table is OBSPLAN:
        return _owned_predicate(alias, "instrument_name", dialect, viewer)
    if table is PROPOSAL:
        return _owned_predicate(alias, "instrument", dialect, viewer)
    if table in (PLAN_EVENT, PLAN_EXECUTION):
        inner = ("TRUE" if dialect == POSTGRESQL  # obsplan's own policy applies inside
                 else visibility_predicate(OBSPLAN, "visible_plan", dialect, viewer))
        via_plan = (f"{alias}.plan_id IN (SELECT visible_plan.plan_id FROM "
                    f"{_physical(OBSPLAN, dialect)} AS visible_plan WHERE {inner})")
        if table is PLAN_EVENT:
            return f"({team_predicate(alias, dialect, viewer)} OR {via_plan})"
        return f"({via_plan})"
    raise ValueError(f"{table.qualified_name} is not a private table")


PRIVATE_TABLES: tuple[Table, ...] = (OBSPLAN, PROPOSAL, PLAN_EVENT, PLAN_EXECUTION)
