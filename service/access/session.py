"""Run a transaction as the caller: the settings row-level security reads, then the role.

PostgreSQL only (SQLite has no roles; there the translator and the REST layer
write the caller's values into the SQL). Both are transaction-local
(``set_config(..., true)`` and ``SET LOCAL ROLE``), so a pooled connection
never carries one caller's identity into the next request.
"""

from __future__ import annotations

import sqlalchemy as sa

from ...schema.access_rules import (
    QUERY_ADMIN_ROLE,
    QUERY_ROLE,
    SETTING_ADMIN,
    SETTING_PI,
    SETTING_TEAMS,
    SETTING_USER,
    Viewer,
)
from ...schema.sql import POSTGRESQL


def bind_caller(conn: sa.Connection, viewer: Viewer, role: str = QUERY_ROLE) -> None:
    """Inside an open transaction: make ``viewer`` the caller and switch to ``role``."""
    if conn.dialect.name != POSTGRESQL:
        return
    conn.exec_driver_sql(
        f"SELECT set_config('{SETTING_USER}', %s, true), "
        f"set_config('{SETTING_TEAMS}', %s, true), set_config('{SETTING_PI}', %s, true), "
        f"set_config('{SETTING_ADMIN}', %s, true)",
        (viewer.user or "", ",".join(str(int(t)) for t in sorted(viewer.teams)),
         ",".join(sorted(viewer.pi_instruments)), "on" if viewer.site_admin else "off"))
    if role == QUERY_ROLE and viewer.site_admin:
        role = QUERY_ADMIN_ROLE  # reads every row without an OR in each query's plan
    conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
