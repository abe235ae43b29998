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
#: The query role of site admins: its read policy is simply "every row".
QUERY_ADMIN_ROLE = "obsportal_query_admin"
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
    # Each setting is read in a scalar sub-query: PostgreSQL evaluates it once per query
    # (an InitPlan) instead of once per row, and can then use it in an index condition.
    # The cast outside the sub-query makes ``= ANY (...)`` compare with an array, not rows.
    teams = (f"(SELECT string_to_array(NULLIF(current_setting('{SETTING_TEAMS}', true), ''),"
             " ',')::bigint[])::bigint[]")
    pis = (f"(SELECT string_to_array(NULLIF(current_setting('{SETTING_PI}', true), ''),"
           " ','))::text[]")
    admin = f"(SELECT coalesce(current_setting('{SETTING_ADMIN}', true), '') = 'on')"
    return teams, pis, admin


def _sqlite_list(values: list[str]) -> str:
    return f"({', '.join(values)})"


def _quote_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def team_predicate(alias: str, dialect: str, viewer: Viewer | None = None,
                   with_admin: bool = True) -> str:
    """Rows of the caller's teams, or every row for a site admin (the write rule).

    ``with_admin=False`` leaves the admin arm out: the PostgreSQL read policy of the
    query role, whose site-admin callers switch to a role that sees every row instead
    (an OR arm without a column would stop PostgreSQL from using the team index).
    """
    if dialect == POSTGRESQL:
        teams, _pis, admin = _pg_sources()
        own = f"{alias}.team_id = ANY ({teams})"
        return f"({own} OR {admin})" if with_admin else f"({own})"
    viewer = viewer or ANONYMOUS
    if viewer.site_admin:
        return "(1 = 1)"
    if not viewer.teams:
        return "(0 = 1)"
    ids = _sqlite_list([str(int(t)) for t in sorted(viewer.teams)])
    return f"({alias}.team_id IN {ids})"


def _owned_predicate(alias: str, instrument_column: str, dialect: str,
                     viewer: Viewer | None, with_admin: bool = True) -> str:
    """Team rule, or the instrument PI rule (instrument names are stored upper case)."""
    own = team_predicate(alias, dialect, viewer, with_admin)
    if dialect == POSTGRESQL:
        _teams, pis, _admin = _pg_sources()
        pi = (f"({alias}.submitted_at IS NOT NULL AND "
              f"{alias}.{instrument_column} = ANY ({pis}))")
        return f"({own} OR {pi})"
    viewer = viewer or ANONYMOUS
    if viewer.site_admin or not viewer.pi_instruments:
        # An arm that cannot match is left out: it would make SQLite scan the table.
        return own
    names = _sqlite_list([_quote_text(i.upper()) for i in sorted(viewer.pi_instruments)])
    pi = (f"({alias}.submitted_at IS NOT NULL AND "
          f"{alias}.{instrument_column} IN {names})")
    return pi if not viewer.teams else f"({own} OR {pi})"


def _physical(table: Table, dialect: str) -> str:
    schema, name = table.sql_name(dialect)
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def visibility_predicate(table: Table, alias: str, dialect: str,
                         viewer: Viewer | None = None, with_admin: bool = True) -> str:
    """SQL condition on ``alias`` (a row of ``table``) true when the caller may see it.

    On PostgreSQL ``viewer`` is ignored: the condition reads the transaction's
    settings (it is the body of the RLS policy). On SQLite the viewer's values
    are written into the SQL as literals (integers and escaped strings only).
    """
    if table is OBSPLAN:
        return _owned_predicate(alias, "instrument_name", dialect, viewer, with_admin)
    if table is PROPOSAL:
        return _owned_predicate(alias, "instrument", dialect, viewer, with_admin)
    if table in (PLAN_EVENT, PLAN_EXECUTION):
        inner = ("TRUE" if dialect == POSTGRESQL  # obsplan's own policy applies inside
                 else visibility_predicate(OBSPLAN, "visible_plan", dialect, viewer))
        via_plan = (f"{alias}.plan_id IN (SELECT visible_plan.plan_id FROM "
                    f"{_physical(OBSPLAN, dialect)} AS visible_plan WHERE {inner})")
        if table is PLAN_EVENT:
            return f"({team_predicate(alias, dialect, viewer, with_admin)} OR {via_plan})"
        return f"({via_plan})"
    raise ValueError(f"{table.qualified_name} is not a private table")


PRIVATE_TABLES: tuple[Table, ...] = (OBSPLAN, PROPOSAL, PLAN_EVENT, PLAN_EXECUTION)
