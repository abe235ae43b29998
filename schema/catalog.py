"""The catalog: every schema and table of the service, in display order.

This is the metadata interface the rest of the code reads (the ADQL resolver,
VOSI, TAP_SCHEMA, the DDL builder). Uploaded tables are added per request by
the TAP layer, never here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .access import AUTH_TABLES, PLAN_EVENT, PLAN_EXECUTION, PROPOSAL
from .domain import DOMAIN_TABLES
from .internal import INTERNAL_TABLES
from .model import Schema, Table
from .obscore import OBSCORE
from .obsplan import OBSPLAN
from .tap_schema import TAP_SCHEMA_NAME, TAP_SCHEMA_TABLES

SCHEMAS: tuple[Schema, ...] = (
    Schema("ivoa", "IVOA data models: ObsCore 1.1 (ivoa.obscore) and ObsLocTAP 1.0 "
           "(ivoa.obsplan)."),
    Schema("obsportal", "Interferometric observation log: programmes, targets, OB "
           "executions, exposures, baselines, calibrator links, header issues, products."),
    Schema(TAP_SCHEMA_NAME, "TAP 1.1 metadata of this service."),
    Schema("uws", "Asynchronous jobs (not published).", published=False),
    Schema("auth", "Users, teams, instrument PIs and API tokens (never published).",
           published=False),
)


@dataclass(frozen=True)
class Catalog:
    schemas: tuple[Schema, ...]
    tables: tuple[Table, ...]

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    def table(self, qualified_name: str) -> Table:
        """Look up a table by exact ``schema.table`` name."""
        for table in self.tables:
            if table.qualified_name == qualified_name:
                return table
        raise KeyError(qualified_name)

    def find(self, name: str) -> Table | None:
        """Case-insensitive lookup of a *published* table, qualified or not.

        An unqualified name matches when exactly one published table has it.
        """
        wanted = name.lower()
        published = [t for t in self.tables if t.published]
        exact = [t for t in published if t.qualified_name.lower() == wanted]
        if exact:
            return exact[0]
        bare = [t for t in published if t.name.lower() == wanted]
        return bare[0] if len(bare) == 1 else None

    @property
    def published_tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.published)

    @property
    def published_schemas(self) -> tuple[Schema, ...]:
        return tuple(s for s in self.schemas if s.published)


CATALOG = Catalog(
    schemas=SCHEMAS,
    tables=(OBSCORE, OBSPLAN, *DOMAIN_TABLES, PLAN_EXECUTION, *TAP_SCHEMA_TABLES,
            *INTERNAL_TABLES, PROPOSAL, PLAN_EVENT, *AUTH_TABLES),
)
