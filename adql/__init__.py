"""ADQL 2.1 → SQL translator (import name ``obsportal.adql``, folder ``adql/``).

Phases: :func:`parse` (LALR grammar → typed AST, syntactic checks), then
:func:`translate` (name resolution against the catalog, typing, emission for
PostgreSQL+pgsphere or SQLite). Pure: no database, no HTTP.
"""

from .ast import Query
from .errors import AdqlError
from .functions import ADQL_FEATURES, UDF_SIGNATURES
from .parser import parse
from .sqlite_functions import register_sqlite_functions
from .translate import Translation, translate

__all__ = ["ADQL_FEATURES", "UDF_SIGNATURES", "AdqlError", "Query", "Translation", "parse",
           "register_sqlite_functions", "translate"]
