"""The description of ``ob_exec.configuration_match`` names the qualities the one matcher
(``equivalent_configuration``) gives: exact, intermediate, subset, other-period, nearest.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:15:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = ("How the configuration was matched: exact, intermediate, subset, other-period, "
       "nearest (NULL: none).")
OLD = "How the configuration was matched: exact, intermediate, nearest, none."


def upgrade() -> None:
    op.alter_column('ob_exec', 'configuration_match', schema='obsportal', comment=NEW,
                    existing_comment=OLD)


def downgrade() -> None:
    op.alter_column('ob_exec', 'configuration_match', schema='obsportal', comment=OLD,
                    existing_comment=NEW)
