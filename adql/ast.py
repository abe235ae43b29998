"""Typed abstract syntax tree of ADQL 2.1 queries.

Every node carries the position (line, column, 1-based) of its first token, so
errors found by the resolver or the emitter point at the user's text. Nodes
are plain frozen dataclasses: the resolver never mutates them, it builds its
own annotations keyed by node identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


NOWHERE = Pos(0, 0)


@dataclass(frozen=True)
class Ident:
    """An identifier: regular ones compare case-insensitively, delimited ones exactly."""

    name: str
    delimited: bool = False
    pos: Pos = NOWHERE

    @property
    def key(self) -> str:
        """Lookup key: lower case for regular identifiers, as written for delimited ones."""
        return self.name if self.delimited else self.name.lower()

    def matches(self, name: str) -> bool:
        return self.name == name if self.delimited else self.name.lower() == name.lower()


# ---------------------------------------------------------------------------------------
# expressions


@dataclass(frozen=True, eq=False)
class Literal:
    value: object
    kind: str  # "int", "float", "string", "null", "bool"
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class ColumnRef:
    parts: tuple[Ident, ...]
    pos: Pos = NOWHERE

    @property
    def name(self) -> Ident:
        return self.parts[-1]

    @property
    def qualifier(self) -> tuple[Ident, ...]:
        return self.parts[:-1]


@dataclass(frozen=True, eq=False)
class FuncCall:
    name: Ident
    args: tuple[Expr, ...]
    distinct: bool = False
    star: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class BinaryOp:
    op: str  # + - * / ||
    left: Expr
    right: Expr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class UnaryOp:
    op: str  # + -
    operand: Expr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Comparison:
    op: str  # = <> < > <= >=
    left: Expr
    right: Expr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class BoolOp:
    op: str  # AND, OR
    left: Expr
    right: Expr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Not:
    operand: Expr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Between:
    expr: Expr
    low: Expr
    high: Expr
    negated: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Like:
    expr: Expr
    pattern: Expr
    negated: bool = False
    case_insensitive: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class InList:
    expr: Expr
    items: tuple[Expr, ...]
    negated: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class InSubquery:
    expr: Expr
    query: QueryExpr
    negated: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class IsNull:
    expr: Expr
    negated: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Exists:
    query: QueryExpr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class ScalarSubquery:
    query: QueryExpr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Case:
    operand: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    else_: Expr | None
    pos: Pos = NOWHERE


@dataclass(frozen=True)
class CastType:
    name: str  # SMALLINT INTEGER BIGINT REAL DOUBLE PRECISION CHAR VARCHAR TIMESTAMP ...
    length: int | None = None


@dataclass(frozen=True, eq=False)
class Cast:
    expr: Expr
    type: CastType
    pos: Pos = NOWHERE


Expr = Union[Literal, ColumnRef, FuncCall, BinaryOp, UnaryOp, Comparison, BoolOp, Not,  # noqa: UP007
             Between, Like, InList, InSubquery, IsNull, Exists, ScalarSubquery, Case, Cast]

#: Expression nodes that are conditions (true/false) rather than values.
CONDITIONS = (Comparison, BoolOp, Not, Between, Like, InList, InSubquery, IsNull, Exists)


# ---------------------------------------------------------------------------------------
# select lists and FROM


@dataclass(frozen=True, eq=False)
class AllColumns:
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class QualifiedAll:
    qualifier: tuple[Ident, ...]
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class DerivedColumn:
    expr: Expr
    alias: Ident | None = None
    pos: Pos = NOWHERE


SelectItem = Union[AllColumns, QualifiedAll, DerivedColumn]  # noqa: UP007


@dataclass(frozen=True, eq=False)
class TableName:
    parts: tuple[Ident, ...]
    alias: Ident | None = None
    column_aliases: tuple[Ident, ...] = ()
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class DerivedTable:
    query: QueryExpr
    alias: Ident
    column_aliases: tuple[Ident, ...] = ()
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Join:
    kind: str  # inner, left, right, full, cross
    left: FromItem
    right: FromItem
    natural: bool = False
    on: Expr | None = None
    using: tuple[Ident, ...] = ()
    pos: Pos = NOWHERE


FromItem = Union[TableName, DerivedTable, Join]  # noqa: UP007


# ---------------------------------------------------------------------------------------
# queries


@dataclass(frozen=True, eq=False)
class SortSpec:
    expr: Expr
    descending: bool = False
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class Select:
    items: tuple[SelectItem, ...]
    from_: tuple[FromItem, ...]
    distinct: bool = False
    top: int | None = None
    where: Expr | None = None
    group_by: tuple[Expr, ...] = ()
    having: Expr | None = None
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class SetOp:
    op: str  # UNION, EXCEPT, INTERSECT
    all: bool
    left: QueryBody
    right: QueryBody
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class CommonTable:
    name: Ident
    columns: tuple[Ident, ...]
    query: QueryExpr
    pos: Pos = NOWHERE


@dataclass(frozen=True, eq=False)
class QueryExpr:
    body: QueryBody
    with_: tuple[CommonTable, ...] = ()
    order_by: tuple[SortSpec, ...] = ()
    offset: int | None = None
    pos: Pos = NOWHERE


QueryBody = Union[Select, SetOp, QueryExpr]  # noqa: UP007


@dataclass(frozen=True, eq=False)
class Query:
    """A parsed statement: the text it came from and its tree."""

    text: str
    root: QueryExpr
    functions: frozenset[str] = field(default_factory=frozenset)
