"""Declarative metadata: the one source of every schema, table and column.

Import name ``obsportal.schema`` (folder ``schema/``).
"""

from .catalog import CATALOG, Catalog
from .model import HEALPIX_ORDER, AdqlType, Column, ForeignKey, Index, Schema, SkyPosition, Table

__all__ = ["CATALOG", "HEALPIX_ORDER", "AdqlType", "Catalog", "Column", "ForeignKey", "Index",
           "Schema", "SkyPosition", "Table"]
