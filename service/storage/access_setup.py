"""PostgreSQL roles, privileges and row-level security policies (derived objects).

Rebuilt after every upgrade from :mod:`schema.access_rules`, like the views:

* ``obsportal_query`` runs every user query (TAP sync and async, ``/search.votable``,
  REST reads). It is a NOLOGIN, non-superuser role without BYPASSRLS and owns
  nothing, so row-level security always applies to it; it may SELECT the published
  tables and the private ones (where the policies filter rows), and nothing else —
  not the ``auth`` tables, not the jobs, not the harvest bookkeeping.
* ``obsportal_editor`` (REST writes) may also insert and change private rows, under
  policies that keep each write inside the caller's visibility.

The service's own database user (the owner of the tables) is a member of both and
switches with ``SET LOCAL ROLE`` inside the transaction, after writing the caller's
identity into per-transaction settings read by the policies. It needs the
CREATEROLE privilege the first time, or a DBA creates the two roles beforehand.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...schema.access import PROPOSAL
from ...schema.access_rules import (
    EDITOR_ROLE,
    PRIVATE_TABLES,
    QUERY_ADMIN_ROLE,
    QUERY_ROLE,
    team_predicate,
    visibility_predicate,
)
from ...schema.catalog import CATALOG
from ...schema.model import Table
from ...schema.obsplan import OBSPLAN
from ...schema.sql import POSTGRESQL

PUBLISHED_SCHEMAS = ("ivoa", "obsportal", "tap_schema")


def _name(table: Table) -> str:
    return f'"{table.schema}"."{table.name}"'


def _create_role(role: str) -> str:
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
            f"NOCREATEROLE; END IF; END $$")


def _join_role(role: str) -> str:
    # Granting again would need ADMIN OPTION, which a service user given the role by a
    # DBA does not have: grant only when missing.
    return (f"DO $$ BEGIN IF NOT pg_has_role(current_user, '{role}', 'MEMBER') THEN "
            f"EXECUTE 'GRANT {role} TO ' || quote_ident(current_user); END IF; END $$")


def access_statements() -> list[str]:
    """The SQL, in order, that (re)installs roles, grants and policies."""
    all_roles = (QUERY_ROLE, QUERY_ADMIN_ROLE, EDITOR_ROLE)
    statements = [_create_role(r) for r in all_roles] + [_join_role(r) for r in all_roles]
    roles = ", ".join(all_roles)
    for schema in PUBLISHED_SCHEMAS:
        statements.append(f'GRANT USAGE ON SCHEMA "{schema}" TO {roles}')
    # The REST layer (editor role) names teams; it reads nothing else of ``auth``.
    statements += [f'GRANT USAGE ON SCHEMA "auth" TO {EDITOR_ROLE}',
                   f'GRANT SELECT (team_id, name) ON "auth"."team" TO {EDITOR_ROLE}']
    readable = [t for t in CATALOG.tables if t.published or t.private]
    for table in readable:
        statements.append(f"GRANT SELECT ON {_name(table)} TO {roles}")
    for table in PRIVATE_TABLES:
        name = _name(table)
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON {name} TO {EDITOR_ROLE}")
        for column in table.columns:
            if column.autoincrement:
                statements.append(
                    f"DO $$ DECLARE s text := pg_get_serial_sequence('{name}', "
                    f"'{column.name}'); BEGIN IF s IS NOT NULL THEN EXECUTE format("
                    f"'GRANT USAGE ON SEQUENCE %s TO {EDITOR_ROLE}', s); END IF; END $$")
        alias = f'"{table.name}"'
        see = visibility_predicate(table, alias, POSTGRESQL)
        # The read rule of the query role has no admin arm (site admins query as the
        # admin role), so PostgreSQL can answer it from the team and instrument indexes.
        read = visibility_predicate(table, alias, POSTGRESQL, with_admin=False)
        # Plans and proposals are created and deleted by their team only; audit events
        # and links follow what the writer may see (a PI accepting a plan logs it).
        owned = table in (OBSPLAN, PROPOSAL)
        own = team_predicate(alias, POSTGRESQL) if owned else see
        statements += [
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS obsportal_see ON {name}",
            f"CREATE POLICY obsportal_see ON {name} FOR SELECT TO {QUERY_ROLE} "
            f"USING ({read})",
            f"DROP POLICY IF EXISTS obsportal_see_all ON {name}",
            f"CREATE POLICY obsportal_see_all ON {name} FOR SELECT TO {QUERY_ADMIN_ROLE} "
            "USING (true)",
            f"DROP POLICY IF EXISTS obsportal_edit_see ON {name}",
            f"CREATE POLICY obsportal_edit_see ON {name} FOR SELECT TO {EDITOR_ROLE} "
            f"USING ({see})",
            f"DROP POLICY IF EXISTS obsportal_create ON {name}",
            f"CREATE POLICY obsportal_create ON {name} FOR INSERT TO {EDITOR_ROLE} "
            f"WITH CHECK ({own})",
            f"DROP POLICY IF EXISTS obsportal_change ON {name}",
            f"CREATE POLICY obsportal_change ON {name} FOR UPDATE TO {EDITOR_ROLE} "
            f"USING ({see}) WITH CHECK ({see})",
            f"DROP POLICY IF EXISTS obsportal_remove ON {name}",
            f"CREATE POLICY obsportal_remove ON {name} FOR DELETE TO {EDITOR_ROLE} "
            f"USING ({own})",
        ]
    return statements


def install_access(conn: sa.Connection) -> None:
    """Install roles, grants and policies (PostgreSQL only; idempotent)."""
    # Raw cursor, no parameters: the statements contain '%' (format) and '$$'.
    raw: Any = conn.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        for statement in access_statements():
            cursor.execute(statement)
    finally:
        cursor.close()
