"""Name resolution, typing and SQL emission for PostgreSQL+pgsphere and SQLite.

The compiler walks the checked AST once per dialect. Every table name is
looked up in the catalog (or the request's uploads, or the query's CTEs),
every column in the scopes of the query, every function in the whitelist; the
SQL is built from those resolved objects only. Identifiers are always quoted
and literals always rendered by :func:`_literal`, so no user text is ever
pasted into SQL.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..schema.access_rules import Viewer, visibility_predicate
from ..schema.catalog import CATALOG, Catalog
from ..schema.model import AdqlType as T
from ..schema.model import Column, Table
from . import ast as a
from .checks import GEOMETRY_VALUES
from .errors import AdqlError
from .functions import AGGREGATES, FUNCTIONS
from .healpix_ranges import cone_ranges
from .parser import parse

POSTGRESQL, SQLITE = "postgresql", "sqlite"
ICRS_LIKE = {"", "ICRS", "ICRS GEOCENTER", "ICRS TOPOCENTER", "ICRS BARYCENTER", "J2000",
             "FK5", "FK5 J2000", "UNKNOWNFRAME", "ICRS UNKNOWNREFPOS"}
NUMERIC = (T.SMALLINT, T.INTEGER, T.BIGINT, T.REAL, T.DOUBLE)
GEOMETRY_TYPES = (T.POINT, T.CIRCLE, T.POLYGON, T.REGION)
PG_FUNCTIONS_SCHEMA = '"obsportal"'


def _fail(message: str, pos: a.Pos) -> AdqlError:
    return AdqlError(message, pos.line or None, pos.column or None)


def quote(name: str) -> str:
    """A SQL identifier, always quoted (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AdqlError(f"number {value} is not finite")
        return repr(value)
    text = str(value)
    if "\x00" in text:
        raise AdqlError("strings cannot contain NUL characters")
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------
# typed SQL fragments and scopes


@dataclass(frozen=True)
class Typed:
    """A SQL expression with its ADQL type and the metadata it inherits."""

    sql: str
    type: T
    meta: Column | None = None
    constant: object = None  # Python value when the expression is a constant
    is_constant: bool = False


@dataclass
class SourceColumn:
    name: str
    meta: Column
    sql: str  # qualified SQL reference


@dataclass
class Source:
    """One FROM item visible in a scope."""

    names: tuple[a.Ident, ...]  # how it can be qualified (alias, or table name parts)
    alias_sql: str
    columns: list[SourceColumn]
    table: Table | None = None  # catalog table (for the position index / HEALPix)

    def column(self, ident: a.Ident) -> SourceColumn | None:
        for col in self.columns:
            if ident.matches(col.name):
                return col
        return None

    def matches(self, qualifier: tuple[a.Ident, ...]) -> bool:
        if len(qualifier) > len(self.names):
            return False
        tail = self.names[len(self.names) - len(qualifier):]
        return all(q.matches(n.name) for q, n in zip(qualifier, tail, strict=True))


@dataclass
class Scope:
    sources: list[Source] = field(default_factory=list)
    parent: Scope | None = None
    merged: dict[str, SourceColumn] = field(default_factory=dict)  # USING/NATURAL columns
    hidden: set[int] = field(default_factory=set)  # id(SourceColumn) merged away for *
    outputs: dict[str, Typed] = field(default_factory=dict)  # select aliases (ORDER BY)


@dataclass
class Translation:
    """The result of translating one ADQL query."""

    sql: str
    columns: list[Column]
    parameters: dict[str, object] = field(default_factory=dict)
    limit: int | None = None
    maxrec: int | None = None


# ---------------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, catalog: Catalog, dialect: str,
                 uploads: Mapping[str, tuple[Table, str]],
                 viewer: Viewer | None = None) -> None:
        if dialect not in (POSTGRESQL, SQLITE):
            raise ValueError(f"unknown dialect {dialect!r}")
        self.catalog = catalog
        self.viewer = viewer
        self.dialect = dialect
        self.uploads = {name.lower(): value for name, value in uploads.items()}
        self.aliases = itertools.count()
        self.ctes: list[dict[str, tuple[list[Column], str]]] = []

    @property
    def pg(self) -> bool:
        return self.dialect == POSTGRESQL

    def _alias(self) -> str:
        return quote(f"q{next(self.aliases)}")

    # -- queries ----------------------------------------------------------------------
    def query(self, query: a.QueryExpr, parent: Scope | None, limit: int | None = None,
              top_level: bool = False) -> tuple[str, list[Column]]:
        parts: list[str] = []
        cte_frame: dict[str, tuple[list[Column], str]] = {}
        self.ctes.append(cte_frame)
        try:
            if query.with_:
                defs = []
                for cte in query.with_:
                    sql, columns = self.query(cte.query, None)
                    if cte.columns:
                        if len(cte.columns) != len(columns):
                            raise _fail(f"WITH {cte.name.name} names {len(cte.columns)} "
                                        f"columns but its query has {len(columns)}", cte.pos)
                        columns = [replace(c, name=n.name) for c, n in
                                   zip(columns, cte.columns, strict=True)]
                        sql = self._rename(sql, columns)
                    name = f"w_{cte.name.key}"
                    if cte.name.key in cte_frame:
                        raise _fail(f"WITH defines {cte.name.name} twice", cte.pos)
                    cte_frame[cte.name.key] = (columns, quote(name))
                    defs.append(f"{quote(name)} AS ({sql})")
                parts.append("WITH " + ", ".join(defs))
            body_sql, columns, scope, top = self.body(query.body, parent)
            parts.append(body_sql)
            if query.order_by:
                parts.append("ORDER BY " + ", ".join(
                    self.sort(s, scope, columns) for s in query.order_by))
            effective = top
            if limit is not None:
                effective = limit if top is None else min(top, limit)
            if effective is not None:
                parts.append(f"LIMIT {int(effective)}")
            if query.offset is not None:
                if effective is None and not self.pg:
                    parts.append("LIMIT -1")
                parts.append(f"OFFSET {int(query.offset)}")
            return " ".join(parts), columns
        finally:
            self.ctes.pop()

    def _rename(self, sql: str, columns: list[Column]) -> str:
        alias = self._alias()
        cols = ", ".join(f"{alias}.{quote(f'c{i}')} AS {quote(c.name)}"
                         for i, c in enumerate(columns))
        inner = self._positional(sql, len(columns))
        return f"SELECT {cols} FROM ({inner}) AS {alias}"

    def _positional(self, sql: str, n: int) -> str:
        alias = self._alias()
        names = ", ".join(quote(f"c{i}") for i in range(n))
        if self.pg:
            return f"SELECT * FROM ({sql}) AS {alias}({names})"
        # SQLite has no column alias lists: go through a CTE that has one.
        return f"WITH {alias}({names}) AS ({sql}) SELECT * FROM {alias}"

    def body(self, body: a.QueryBody, parent: Scope | None
             ) -> tuple[str, list[Column], Scope | None, int | None]:
        if isinstance(body, a.Select):
            sql, columns, scope = self.select(body, parent)
            return sql, columns, scope, body.top
        if isinstance(body, a.QueryExpr):
            sql, columns = self.query(body, parent)
            alias = self._alias()
            return f"SELECT * FROM ({sql}) AS {alias}", columns, None, None
        left_sql, left_cols = self.operand(body.left, parent)
        right_sql, right_cols = self.operand(body.right, parent)
        if len(left_cols) != len(right_cols):
            raise _fail(f"{body.op} needs the same number of columns on both sides "
                        f"({len(left_cols)} and {len(right_cols)})", body.pos)
        if body.all and body.op != "UNION" and not self.pg:
            raise _fail(f"{body.op} ALL is not supported by the embedded database; use "
                        f"{body.op}", body.pos)
        op = f"{body.op} ALL" if body.all else body.op
        return f"{left_sql} {op} {right_sql}", left_cols, None, None

    def operand(self, body: a.QueryBody, parent: Scope | None) -> tuple[str, list[Column]]:
        if isinstance(body, a.Select) and body.top is None:
            sql, columns, _scope = self.select(body, parent)
            return sql, columns
        if isinstance(body, a.SetOp):
            sql, columns, _s, _t = self.body(body, parent)
            return sql, columns
        query = body if isinstance(body, a.QueryExpr) else a.QueryExpr(body, pos=body.pos)
        sql, columns = self.query(query, parent)
        return f"SELECT * FROM ({sql}) AS {self._alias()}", columns

    # -- SELECT ---------------------------------------------------------------------------
    def select(self, select: a.Select, parent: Scope | None
               ) -> tuple[str, list[Column], Scope]:
        scope = Scope(parent=parent)
        from_sql = [self.from_item(item, scope) for item in select.from_]
        outputs: list[tuple[str, Typed]] = []
        for item in select.items:
            outputs.extend(self.select_item(item, scope))
        names = _unique_names([n for n, _ in outputs])
        columns: list[Column] = []
        select_sql: list[str] = []
        for name, (_, typed) in zip(names, outputs, strict=True):
            column = _output_column(name, typed)
            columns.append(column)
            scope.outputs[name.lower()] = typed
            select_sql.append(f"{self.output_sql(typed)} AS {quote(name)}")
        sql = "SELECT " + ("DISTINCT " if select.distinct else "") + ", ".join(select_sql)
        sql += " FROM " + ", ".join(from_sql)
        if select.where is not None:
            sql += " WHERE " + self.condition(select.where, scope)
        if select.group_by:
            sql += " GROUP BY " + ", ".join(self.group_expr(e, scope, outputs)
                                            for e in select.group_by)
        if select.having is not None:
            sql += " HAVING " + self.condition(select.having, scope)
        return sql, columns, scope

    def group_expr(self, expr: a.Expr, scope: Scope,
                   outputs: list[tuple[str, Typed]]) -> str:
        if isinstance(expr, a.ColumnRef) and len(expr.parts) == 1:
            found = self.lookup(expr, scope, required=False)
            if found is None:
                for name, typed in outputs:
                    if expr.name.matches(name):
                        return typed.sql
        return self.value(expr, scope).sql

    def output_sql(self, typed: Typed) -> str:
        if typed.type in (T.POINT, T.CIRCLE, T.POLYGON) and typed.meta is None:
            return self.dali(typed)
        if typed.type in (T.POINT, T.CIRCLE, T.POLYGON) and typed.meta is not None \
                and typed.sql.startswith(("spoint", "scircle", "spoly", "adql_")):
            return self.dali(typed)
        return typed.sql

    def dali(self, typed: Typed) -> str:
        if self.pg:
            return f"{PG_FUNCTIONS_SCHEMA}.adql_dali({typed.sql})"
        return f"adql_dali({typed.sql})"

    def select_item(self, item: a.SelectItem, scope: Scope) -> list[tuple[str, Typed]]:
        if isinstance(item, a.AllColumns):
            if not scope.sources:
                raise _fail("SELECT * needs a FROM clause", item.pos)
            return [(c.name, Typed(c.sql, c.meta.datatype, c.meta))
                    for source in scope.sources for c in source.columns
                    if id(c) not in scope.hidden]
        if isinstance(item, a.QualifiedAll):
            matches = [s for s in scope.sources if s.matches(item.qualifier)]
            if not matches:
                raise _fail(f"no table {'.'.join(p.name for p in item.qualifier)} in FROM",
                            item.pos)
            if len(matches) > 1:
                raise _fail(f"{'.'.join(p.name for p in item.qualifier)} is ambiguous in "
                            "FROM; use an alias", item.pos)
            return [(c.name, Typed(c.sql, c.meta.datatype, c.meta))
                    for c in matches[0].columns]
        typed = self.value(item.expr, scope)
        if item.alias is not None:
            name = item.alias.name
        elif isinstance(item.expr, a.ColumnRef):
            name = item.expr.name.name if item.expr.name.delimited else (
                typed.meta.name if typed.meta else item.expr.name.name.lower())
        elif isinstance(item.expr, a.FuncCall):
            name = item.expr.name.name.lower()
        else:
            name = "expr"
        return [(name, typed)]

    # -- FROM ---------------------------------------------------------------------------
    def from_item(self, item: a.FromItem, scope: Scope) -> str:
        if isinstance(item, a.TableName):
            return self.table(item, scope)
        if isinstance(item, a.DerivedTable):
            sql, columns = self.query(item.query, scope.parent)
            if item.column_aliases:
                if len(item.column_aliases) != len(columns):
                    raise _fail(f"{item.alias.name} names {len(item.column_aliases)} columns "
                                f"but its query has {len(columns)}", item.pos)
                columns = [replace(c, name=n.name) for c, n in
                           zip(columns, item.column_aliases, strict=True)]
                sql = self._rename(sql, columns)
            alias = self._alias()
            self._add_source(scope, Source((item.alias,), alias, [
                SourceColumn(c.name, c, f"{alias}.{quote(c.name)}") for c in columns]),
                item.alias.pos)
            if not self.pg and " LIMIT " not in sql[-40:]:
                # SQLite flattens sub-queries into the outer join, which can turn a small
                # derived table into a nested loop over every row of the other tables; a
                # (no-op) LIMIT keeps it materialised, as users who write one expect.
                sql += " LIMIT -1"
            return f"({sql}) AS {alias}"
        return self.join(item, scope)

    def _add_source(self, scope: Scope, source: Source, pos: a.Pos) -> None:
        for other in scope.sources:
            if other.names[-1].key == source.names[-1].key and \
                    len(other.names) == len(source.names):
                raise _fail(f"{source.names[-1].name} appears twice in FROM; give one of "
                            "them an alias", pos)
        scope.sources.append(source)

    def table(self, item: a.TableName, scope: Scope) -> str:
        parts = item.parts
        alias = self._alias()
        if len(parts) == 1:
            for frame in reversed(self.ctes):
                if parts[0].key in frame:
                    columns, sql_name = frame[parts[0].key]
                    cte_names: tuple[a.Ident, ...] = (item.alias,) if item.alias else parts
                    self._add_source(scope, Source(cte_names, alias, [
                        SourceColumn(c.name, c, f"{alias}.{quote(c.name)}") for c in columns]),
                        item.pos)
                    return f"{sql_name} AS {alias}"
        table, physical = self.resolve_table(item)
        qualifiers: tuple[a.Ident, ...] = (item.alias,) if item.alias else parts
        visible = [SourceColumn(c.name, c, f"{alias}.{quote(c.name)}")
                   for c in table.published_columns]
        if item.column_aliases:
            raise _fail("column alias lists are only supported on sub-queries", item.pos)
        self._add_source(scope, Source(qualifiers, alias, visible, table), item.pos)
        if table.private and not self.pg:
            # SQLite has no row-level security: every reference to a private table reads
            # it through the visibility rule (LIMIT -1 keeps SQLite from flattening the
            # sub-query into the caller's conditions).
            rule = visibility_predicate(table, "visible", self.dialect, self.viewer)
            return f"(SELECT * FROM {physical} AS visible WHERE {rule} LIMIT -1) AS {alias}"
        return f"{physical} AS {alias}"

    def resolve_table(self, item: a.TableName) -> tuple[Table, str]:
        parts = item.parts
        shown = ".".join(p.name for p in parts)
        if len(parts) > 2:
            raise _fail(f"table {shown}: catalog-qualified names are not used here; write "
                        "schema.table", item.pos)
        if len(parts) == 2 and parts[0].matches("TAP_UPLOAD"):
            upload = self.uploads.get(parts[1].name.lower())
            if upload is None or (parts[1].delimited and upload[0].name != parts[1].name):
                raise _fail(f"no uploaded table {parts[1].name} in this request", item.pos)
            return upload[0], quote(upload[1])
        candidates = []
        for table in self.catalog.published_tables:
            if len(parts) == 2:
                if parts[0].matches(table.schema) and parts[1].matches(table.name):
                    candidates.append(table)
            elif parts[0].matches(table.name):
                candidates.append(table)
        if not candidates:
            raise _fail(f"unknown table {shown}; the tables are listed at /tap/tables "
                        "(e.g. ivoa.obscore)", item.pos)
        if len(candidates) > 1:
            raise _fail(f"table {shown} is ambiguous: "
                        f"{', '.join(t.qualified_name for t in candidates)}; qualify it "
                        "with its schema", item.pos)
        table = candidates[0]
        schema, name = table.sql_name(self.dialect)
        physical = f"{quote(schema)}.{quote(name)}" if schema else quote(name)
        return table, physical

    def join(self, join: a.Join, scope: Scope) -> str:
        left = self.from_item(join.left, scope)
        left_sources = list(scope.sources)
        right = self.from_item(join.right, scope)
        right_sources = scope.sources[len(left_sources):]
        kind = {"inner": "JOIN", "left": "LEFT OUTER JOIN", "right": "RIGHT OUTER JOIN",
                "full": "FULL OUTER JOIN", "cross": "CROSS JOIN"}[join.kind]
        if join.kind == "cross":
            return f"{left} CROSS JOIN {right}"
        if join.natural or join.using:
            if join.natural:
                right_names = {c.name.lower() for s in right_sources for c in s.columns}
                common = [c.name for s in left_sources for c in s.columns
                          if c.name.lower() in right_names and id(c) not in scope.hidden]
                if not common:
                    raise _fail("NATURAL JOIN: the two sides have no column in common",
                                join.pos)
            else:
                common = []
                for ident in join.using:
                    if not any(s.column(ident) for s in left_sources) or \
                            not any(s.column(ident) for s in right_sources):
                        raise _fail(f"USING ({ident.name}): both sides need that column",
                                    ident.pos)
                    common.append(ident.name)
            conditions = []
            for name in common:
                ident = a.Ident(name)
                lcol = next(c for s in left_sources if (c := s.column(ident)))
                rcol = next(c for s in right_sources if (c := s.column(ident)))
                scope.hidden.add(id(rcol))
                scope.merged[name.lower()] = lcol
                conditions.append(f"{lcol.sql} = {rcol.sql}")
            return f"{left} {kind} {right} ON " + " AND ".join(conditions)
        if join.on is None:
            raise _fail("JOIN needs ON or USING (or write NATURAL JOIN or CROSS JOIN)",
                        join.pos)
        return f"{left} {kind} {right} ON {self.condition(join.on, scope)}"

    # -- names ------------------------------------------------------------------------------
    def lookup(self, ref: a.ColumnRef, scope: Scope, required: bool = True
               ) -> SourceColumn | None:
        shown = ".".join(p.name for p in ref.parts)
        current: Scope | None = scope
        while current is not None:
            found = self._lookup_in(ref, current)
            if found is not None:
                return found
            current = current.parent
        if not required:
            return None
        hint = self._suggest(ref, scope)
        raise _fail(f"unknown column {shown}{hint}", ref.pos)

    def _lookup_in(self, ref: a.ColumnRef, scope: Scope) -> SourceColumn | None:
        qualifier, name = ref.qualifier, ref.name
        if not qualifier:
            if name.key in scope.merged or name.name.lower() in scope.merged:
                return scope.merged.get(name.key) or scope.merged[name.name.lower()]
            found = [(s, c) for s in scope.sources if (c := s.column(name))]
            if len(found) > 1:
                tables = ", ".join(s.names[-1].name for s, _ in found)
                raise _fail(f"column {name.name} is ambiguous: it is in {tables}; qualify "
                            "it with a table name or alias", ref.pos)
            return found[0][1] if found else None
        sources = [s for s in scope.sources if s.matches(qualifier)]
        if len(sources) > 1:
            raise _fail(f"{'.'.join(q.name for q in qualifier)} is ambiguous; use aliases",
                        ref.pos)
        if not sources:
            return None
        column = sources[0].column(name)
        if column is None:
            raise _fail(f"table {'.'.join(q.name for q in qualifier)} has no column "
                        f"{name.name}{self._suggest(ref, scope)}", ref.pos)
        return column

    def _suggest(self, ref: a.ColumnRef, scope: Scope) -> str:
        import difflib

        names = [c.name for s in scope.sources for c in s.columns]
        close = difflib.get_close_matches(ref.name.name.lower(), names, n=1)
        return f" (did you mean {close[0]}?)" if close else ""

    # -- ORDER BY -------------------------------------------------------------------------
    def sort(self, spec: a.SortSpec, scope: Scope | None, columns: list[Column]) -> str:
        expr = spec.expr
        direction = " DESC NULLS FIRST" if spec.descending else " ASC NULLS LAST"
        if isinstance(expr, a.Literal) and expr.kind == "int":
            if not 1 <= int(expr.value) <= len(columns):  # type: ignore[call-overload]
                raise _fail(f"ORDER BY {expr.value}: there are {len(columns)} output "
                            "columns", expr.pos)
            return f"{int(expr.value)}{direction}"  # type: ignore[call-overload]
        if isinstance(expr, a.ColumnRef) and len(expr.parts) == 1:
            for column in columns:
                if expr.name.matches(column.name):
                    return f"{quote(column.name)}{direction}"
        if scope is None:
            raise _fail("ORDER BY after a set operation can only use output column names "
                        "or positions", expr.pos)
        return self.value(expr, scope).sql + direction

    # -- expressions ------------------------------------------------------------------------
    def condition(self, expr: a.Expr, scope: Scope) -> str:
        if isinstance(expr, a.BoolOp):
            return f"({self.condition(expr.left, scope)} {expr.op} " \
                   f"{self.condition(expr.right, scope)})"
        if isinstance(expr, a.Not):
            return f"(NOT {self.condition(expr.operand, scope)})"
        if isinstance(expr, a.Comparison):
            return self.comparison(expr, scope)
        if isinstance(expr, a.Between):
            value = self.value(expr.expr, scope)
            low = self._coerce(self.value(expr.low, scope), value)
            high = self._coerce(self.value(expr.high, scope), value)
            neg = "NOT " if expr.negated else ""
            return f"({value.sql} {neg}BETWEEN {low.sql} AND {high.sql})"
        if isinstance(expr, a.Like):
            left, pattern = self.value(expr.expr, scope), self.value(expr.pattern, scope)
            neg = "NOT " if expr.negated else ""
            if expr.case_insensitive:
                if self.pg:
                    return f"({left.sql} {neg}ILIKE {pattern.sql})"
                return f"(lower({left.sql}) {neg}LIKE lower({pattern.sql}))"
            return f"({left.sql} {neg}LIKE {pattern.sql})"
        if isinstance(expr, a.InList):
            value = self.value(expr.expr, scope)
            items = [self._coerce(self.value(i, scope), value).sql for i in expr.items]
            neg = "NOT " if expr.negated else ""
            return f"({value.sql} {neg}IN ({', '.join(items)}))"
        if isinstance(expr, a.InSubquery):
            value = self.value(expr.expr, scope)
            sql, columns = self.query(expr.query, scope)
            if len(columns) != 1:
                raise _fail("IN (sub-query) needs a sub-query with one column", expr.pos)
            neg = "NOT " if expr.negated else ""
            return f"({value.sql} {neg}IN ({sql}))"
        if isinstance(expr, a.IsNull):
            value = self.value(expr.expr, scope)
            return f"({value.sql} IS {'NOT ' if expr.negated else ''}NULL)"
        if isinstance(expr, a.Exists):
            sql, _ = self.query(expr.query, scope)
            return f"(EXISTS ({sql}))"
        raise _fail("a condition is needed here", expr.pos)

    def comparison(self, expr: a.Comparison, scope: Scope) -> str:
        special = self.geometry_predicate(expr, scope)
        if special is not None:
            return special
        left, right = self.value(expr.left, scope), self.value(expr.right, scope)
        for side in (left, right):
            if side.type in (T.POINT, T.CIRCLE, T.POLYGON):
                raise _fail("geometries cannot be compared with '='/'<'...; use CONTAINS, "
                            "INTERSECTS or DISTANCE", expr.pos)
        left, right = self._coerce(left, right), self._coerce(right, left)
        return f"({left.sql} {expr.op} {right.sql})"

    def _coerce(self, value: Typed, other: Typed) -> Typed:
        """A string literal compared with a timestamp becomes a timestamp literal."""
        if other.type is T.TIMESTAMP and value.is_constant and isinstance(value.constant, str):
            try:
                stamp = datetime.fromisoformat(value.constant.strip().replace("Z", ""))
            except ValueError as exc:
                raise AdqlError(f"{value.constant!r} is not an ISO timestamp "
                                "(YYYY-MM-DDThh:mm:ss)") from exc
            if self.pg:
                return Typed(f"CAST({_literal(stamp.isoformat())} AS timestamp)", T.TIMESTAMP)
            return Typed(_literal(stamp.strftime("%Y-%m-%d %H:%M:%S.%f")), T.TIMESTAMP)
        return value

    def value(self, expr: a.Expr, scope: Scope) -> Typed:
        if isinstance(expr, a.Literal):
            return self.literal(expr)
        if isinstance(expr, a.ColumnRef):
            column = self.lookup(expr, scope)
            assert column is not None
            return Typed(column.sql, column.meta.datatype, column.meta)
        if isinstance(expr, a.FuncCall):
            return self.function(expr, scope)
        if isinstance(expr, a.BinaryOp):
            return self.binary(expr, scope)
        if isinstance(expr, a.UnaryOp):
            operand = self.value(expr.operand, scope)
            self._numeric(operand, expr.pos, expr.op)
            return Typed(f"({expr.op}{operand.sql})", operand.type)
        if isinstance(expr, a.ScalarSubquery):
            sql, columns = self.query(expr.query, scope)
            if len(columns) != 1:
                raise _fail("a sub-query used as a value must return one column", expr.pos)
            return Typed(f"({sql})", columns[0].datatype, columns[0])
        if isinstance(expr, a.Case):
            return self.case(expr, scope)
        if isinstance(expr, a.Cast):
            return self.cast(expr, scope)
        if isinstance(expr, a.CONDITIONS):
            raise _fail("a condition cannot be used as a value here", expr.pos)
        raise _fail("unsupported expression", expr.pos)

    def literal(self, lit: a.Literal) -> Typed:
        if lit.kind == "int":
            value = int(lit.value)  # type: ignore[call-overload]
            kind = T.INTEGER if -2**31 <= value < 2**31 else T.BIGINT
            if not -2**63 <= value < 2**63:
                raise _fail(f"integer {value} is too large", lit.pos)
            return Typed(_literal(value), kind, constant=value, is_constant=True)
        if lit.kind == "float":
            return Typed(_literal(float(lit.value)), T.DOUBLE,  # type: ignore[arg-type]
                         constant=float(lit.value), is_constant=True)  # type: ignore[arg-type]
        if lit.kind == "string":
            return Typed(_literal(lit.value), T.VARCHAR, constant=lit.value, is_constant=True)
        if lit.kind == "bool":
            return Typed("1" if lit.value else "0", T.SMALLINT, constant=int(bool(lit.value)),
                         is_constant=True)
        return Typed("NULL", T.VARCHAR, constant=None, is_constant=True)

    def _numeric(self, value: Typed, pos: a.Pos, what: str) -> None:
        if value.type not in NUMERIC and not (value.is_constant and value.constant is None):
            raise _fail(f"'{what}' needs numbers, not {value.type.value.lower()}", pos)

    def binary(self, expr: a.BinaryOp, scope: Scope) -> Typed:
        left, right = self.value(expr.left, scope), self.value(expr.right, scope)
        if expr.op == "||":
            for side in (left, right):
                if side.type in GEOMETRY_TYPES and side.type is not T.REGION:
                    raise _fail("'||' joins strings, not geometries", expr.pos)
            return Typed(f"({self._as_text(left)} || {self._as_text(right)})", T.VARCHAR)
        self._numeric(left, expr.left.pos, expr.op)
        self._numeric(right, expr.right.pos, expr.op)
        result = _wider(left.type, right.type)
        constant = None
        is_constant = left.is_constant and right.is_constant and \
            left.constant is not None and right.constant is not None
        if is_constant:
            try:
                constant = _fold(expr.op, left.constant, right.constant)  # type: ignore[arg-type]
            except ZeroDivisionError:
                is_constant = False
        return Typed(f"({left.sql} {expr.op} {right.sql})", result, constant=constant,
                     is_constant=is_constant and constant is not None)

    def _as_text(self, value: Typed) -> str:
        if value.type in (T.VARCHAR, T.CHAR, T.CLOB, T.REGION):
            return value.sql
        return f"CAST({value.sql} AS {'text' if self.pg else 'TEXT'})"

    def case(self, expr: a.Case, scope: Scope) -> Typed:
        parts = ["CASE"]
        operand = self.value(expr.operand, scope) if expr.operand is not None else None
        if operand is not None:
            parts.append(operand.sql)
        result: Typed | None = None
        for when, then in expr.whens:
            cond = self.value(when, scope).sql if operand is not None \
                else self.condition(when, scope)
            value = self.value(then, scope)
            result = result or value
            parts.append(f"WHEN {cond} THEN {value.sql}")
        if expr.else_ is not None:
            parts.append(f"ELSE {self.value(expr.else_, scope).sql}")
        parts.append("END")
        assert result is not None
        return Typed(" ".join(parts), result.type, result.meta)

    def cast(self, expr: a.Cast, scope: Scope) -> Typed:
        value = self.value(expr.expr, scope)
        name, length = expr.type.name, expr.type.length
        if name in ("POINT", "CIRCLE", "POLYGON"):
            raise _fail(f"CAST to {name} is not supported; build geometries with "
                        f"{name}(...)", expr.pos)
        types = {"SMALLINT": T.SMALLINT, "INTEGER": T.INTEGER, "BIGINT": T.BIGINT,
                 "REAL": T.REAL, "DOUBLE PRECISION": T.DOUBLE, "CHAR": T.CHAR,
                 "VARCHAR": T.VARCHAR, "TIMESTAMP": T.TIMESTAMP}
        target = types[name]
        if self.pg:
            sql_type = {"DOUBLE PRECISION": "double precision"}.get(name, name.lower())
            if length is not None:
                sql_type += f"({int(length)})"
            if target in (T.SMALLINT, T.INTEGER, T.BIGINT) and value.type in (T.REAL, T.DOUBLE):
                return Typed(f"CAST(trunc({value.sql}) AS {sql_type})", target)
            return Typed(f"CAST({value.sql} AS {sql_type})", target)
        if target in (T.SMALLINT, T.INTEGER, T.BIGINT):
            return Typed(f"CAST({value.sql} AS INTEGER)", target)
        if target in (T.REAL, T.DOUBLE):
            return Typed(f"CAST({value.sql} AS REAL)", target)
        if target is T.TIMESTAMP:
            return Typed(f"adql_timestamp({value.sql})", target)
        text = f"CAST({value.sql} AS TEXT)"
        if length is not None:
            text = f"substr({text}, 1, {int(length)})"
        return Typed(text, target)

    # -- functions ---------------------------------------------------------------------------
    def function(self, call: a.FuncCall, scope: Scope) -> Typed:
        name = call.name.name.lower()
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise _fail(f"unknown function {call.name.name}; the user-defined functions are "
                        "listed in /tap/capabilities", call.pos)
        if name in AGGREGATES:
            return self.aggregate(call, scope)
        if name in GEOMETRY_VALUES or spec.kind == "geometry":
            from .geometry_sql import geometry_function
            return geometry_function(self, call, scope)
        args = [self.value(arg, scope) for arg in call.args]
        from .functions_sql import scalar_function
        return scalar_function(self, name, args, call)

    def aggregate(self, call: a.FuncCall, scope: Scope) -> Typed:
        name = call.name.name.lower()
        if call.star:
            return Typed("COUNT(*)", T.BIGINT)
        arg = self.value(call.args[0], scope)
        distinct = "DISTINCT " if call.distinct else ""
        if name == "count":
            return Typed(f"COUNT({distinct}{arg.sql})", T.BIGINT)
        if name == "avg":
            self._numeric(arg, call.pos, "AVG")
            return Typed(f"AVG({distinct}{arg.sql})", T.DOUBLE, _keep_unit(arg.meta, T.DOUBLE))
        if name == "sum":
            self._numeric(arg, call.pos, "SUM")
            kind = T.BIGINT if arg.type in (T.SMALLINT, T.INTEGER, T.BIGINT) else T.DOUBLE
            return Typed(f"SUM({distinct}{arg.sql})", kind, _keep_unit(arg.meta, kind))
        if arg.type in (T.POINT, T.CIRCLE, T.POLYGON):
            raise _fail(f"{name.upper()} cannot be applied to geometries", call.pos)
        return Typed(f"{name.upper()}({distinct}{arg.sql})", arg.type, arg.meta)

    # -- geometry predicates with index support -----------------------------------------
    def geometry_predicate(self, expr: a.Comparison, scope: Scope) -> str | None:
        from .geometry_sql import geometry_comparison
        return geometry_comparison(self, expr, scope)

    def healpix_prefilter(self, point: a.Expr, scope: Scope, ra: float, dec: float,
                          radius: float) -> str | None:
        """SQLite: restrict a cone to HEALPix pixel ranges of the table's index column."""
        if self.pg or not (isinstance(point, a.FuncCall) and len(point.args) >= 2):
            return None
        args = point.args[-2:]
        if not all(isinstance(x, a.ColumnRef) for x in args):
            return None
        columns = [self.lookup(x, scope) for x in args]  # type: ignore[arg-type]
        for source in _all_sources(scope):
            table = source.table
            if table is None or table.position is None:
                continue
            wanted = [table.column(table.position.ra), table.column(table.position.dec)]
            if all(c is not None and c.meta is w and c.sql.startswith(source.alias_sql + ".")
                   for c, w in zip(columns, wanted, strict=True)):
                ranges = cone_ranges(ra, dec, radius)
                if ranges is None:
                    return None
                column = f"{source.alias_sql}.{quote(table.position.healpix_column)}"
                terms = [f"{column} BETWEEN {lo} AND {hi}" for lo, hi in ranges]
                return "(" + " OR ".join(terms) + ")"
        return None


def _all_sources(scope: Scope) -> list[Source]:
    found: list[Source] = []
    current: Scope | None = scope
    while current is not None:
        found.extend(current.sources)
        current = current.parent
    return found


def _wider(left: T, right: T) -> T:
    order = [T.SMALLINT, T.INTEGER, T.BIGINT, T.REAL, T.DOUBLE]
    lt = left if left in order else T.DOUBLE
    rt = right if right in order else T.DOUBLE
    return order[max(order.index(lt), order.index(rt))]


def _fold(op: str, left: float, right: float) -> float | None:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if isinstance(left, int) and isinstance(right, int):
            return int(left / right)
        return left / right
    return None


def _keep_unit(meta: Column | None, datatype: T) -> Column | None:
    if meta is None:
        return None
    return Column(meta.name, datatype, meta.description, unit=meta.unit, ucd=meta.ucd)


def _unique_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        key = name.lower()
        if key in seen:
            seen[key] += 1
            candidate = f"{name}_{seen[key]}"
            while candidate.lower() in seen:
                seen[key] += 1
                candidate = f"{name}_{seen[key]}"
            seen[candidate.lower()] = 1
            result.append(candidate)
        else:
            seen[key] = 1
            result.append(name)
    return result


def _output_column(name: str, typed: Typed) -> Column:
    meta = typed.meta
    if meta is not None and meta.datatype is typed.type:
        return replace(meta, name=name, primary_key=False, unique=False, autoincrement=False,
                       published=True)
    return Column(name, typed.type, meta.description if meta else "",
                  unit=meta.unit if meta else None, ucd=meta.ucd if meta else None)


def translate(text: str, catalog: Catalog = CATALOG, dialect: str = POSTGRESQL,
              maxrec: int | None = None,
              uploads: Mapping[str, tuple[Table, str]] | None = None,
              functions: set[str] | None = None,
              viewer: Viewer | None = None) -> Translation:
    """Translate ADQL ``text`` into SQL for ``dialect``.

    ``viewer``: who runs the query. On SQLite private tables are filtered by the
    visibility rule for this caller (anonymous when None); on PostgreSQL the
    database's row-level security does it, from the caller set on the transaction.

    ``maxrec``: the SQL returns at most ``maxrec + 1`` rows (so the caller sees
    an overflow) unless the query's own TOP is smaller.
    """
    query = parse(text, functions)
    compiler = _Compiler(catalog, dialect, uploads or {}, viewer)
    top = _top_of(query.root)
    limit = None
    if maxrec is not None:
        limit = maxrec + 1 if top is None or top > maxrec else None
    sql, columns = compiler.query(query.root, None, limit=limit, top_level=True)
    effective = top if limit is None else (limit if top is None else min(top, limit))
    return Translation(sql=sql, columns=columns, limit=effective, maxrec=maxrec)


def _top_of(query: a.QueryExpr) -> int | None:
    body = query.body
    return body.top if isinstance(body, a.Select) else None


def check_coordsys(value: Typed, pos: a.Pos) -> None:
    """Accept ICRS-compatible frames; refuse those we cannot transform, clearly."""
    if value.is_constant and value.constant is None:
        return
    if not value.is_constant or not isinstance(value.constant, str):
        raise _fail("the coordinate system must be a string literal such as 'ICRS'", pos)
    frame = " ".join(value.constant.upper().split())
    if frame not in ICRS_LIKE:
        raise _fail(f"coordinate system {value.constant!r} is not supported: positions "
                    "here are ICRS; use 'ICRS' (or '')", pos)


__all__ = ["Translation", "check_coordsys", "quote", "translate"]
