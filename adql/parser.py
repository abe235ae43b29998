"""ADQL text → typed AST, with errors a TOPCAT user can act on.

Parsing is LALR(1) (one lark parser built once per process). After the tree is
built, the syntactic rules of ADQL that a context-free grammar cannot express
are checked here, without any database knowledge: reserved words used as
names, arity of ADQL's own functions, conditions where values are expected
(and the reverse), ``WITH`` only at the top, ``CAST`` targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from . import ast as a
from .errors import AdqlError
from .functions import FUNCTIONS
from .reserved import RESERVED_WORDS

CAST_TYPES = {"SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "CHAR", "VARCHAR",
              "TIMESTAMP", "POINT", "CIRCLE", "POLYGON"}

_TOKEN_WORDS = {
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "DOT": "'.'", "ASTERISK": "'*'",
    "REGULAR_IDENTIFIER": "a name", "DELIMITED_IDENTIFIER": "a quoted name",
    "UNSIGNED_INTEGER": "a number", "DECIMAL": "a number", "HEX": "a number",
    "STRING": "a string", "$END": "the end of the query", "CONCAT": "'||'", "PLUS": "'+'",
    "MINUS": "'-'", "SLASH": "'/'", "EQUAL": "'='", "LESSTHAN": "'<'", "MORETHAN": "'>'",
}


KEYWORDS = frozenset({
    "SELECT", "DISTINCT", "ALL", "TOP", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "ASC",
    "DESC", "OFFSET", "AS", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "NATURAL",
    "CROSS", "ON", "USING", "AND", "OR", "NOT", "BETWEEN", "LIKE", "ILIKE", "IN", "IS", "NULL",
    "TRUE", "FALSE", "EXISTS", "UNION", "EXCEPT", "INTERSECT", "WITH", "CASE", "WHEN", "THEN",
    "ELSE", "END", "CAST",
})
_PUNCTUATION = {"(": "LPAR", ")": "RPAR", ",": "COMMA", ".": "DOT", "*": "ASTERISK",
                "+": "PLUS", "-": "MINUS", "/": "SLASH", "||": "CONCAT", "=": "EQUAL",
                "<": "LESSTHAN", ">": "MORETHAN", "<=": "__ANON_LE", ">=": "__ANON_GE",
                "<>": "__ANON_NE", "!=": "__ANON_NE2"}
_TOKEN_RE = re.compile(r"""
    (?P<WS>[ \t\f\r\n]+)
  | (?P<COMMENT>--[^\n]*)
  | (?P<HEX>0[xX][0-9A-Fa-f]+)
  | (?P<DECIMAL>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
  | (?P<UNSIGNED_INTEGER>\d+)
  | (?P<STRING>'(?:[^']|'')*')
  | (?P<REGULAR_IDENTIFIER>[A-Za-z][A-Za-z0-9_]*)
  | (?P<DELIMITED_IDENTIFIER>"(?:[^"]|"")+")
  | (?P<PUNCT>\|\||<=|>=|<>|!=|[(),.*+\-/=<>])
""", re.VERBOSE)


class AdqlLexer(Lexer):
    """One compiled regular expression, keywords by table lookup: ~10× lark's lexer."""

    def __init__(self, lexer_conf: Any) -> None:
        names = {t.name: t for t in lexer_conf.terminals}
        self.punctuation = {}
        for text, default in _PUNCTUATION.items():
            match = next((t.name for t in lexer_conf.terminals
                          if t.pattern.type == "str" and t.pattern.value == text), default)
            self.punctuation[text] = match
        self.known = set(names)

    def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
        position, line, line_start = 0, 1, 0
        length = len(text)
        while position < length:
            match = _TOKEN_RE.match(text, position)
            if match is None:
                raise _unexpected_char(text, position, line, position - line_start + 1)
            kind = match.lastgroup
            value = match.group()
            column = position - line_start + 1
            if kind == "REGULAR_IDENTIFIER" and value.upper() in KEYWORDS:
                kind = value.upper()
            elif kind == "PUNCT":
                kind = self.punctuation[value]
            if kind not in ("WS", "COMMENT"):
                yield Token(kind, value, position, line, column)  # type: ignore[arg-type]
            newlines = value.count("\n")
            if newlines:
                line += newlines
                line_start = position + value.rfind("\n") + 1
            position = match.end()


def _unexpected_char(text: str, position: int, line: int, column: int) -> AdqlError:
    char = text[position]
    hints = {";": "only one statement is allowed; remove ';'",
             ":": "'::' casts are not ADQL; use CAST(x AS type)",
             "$": "'$' is not allowed in ADQL",
             "[": "array subscripts are not ADQL",
             "{": "'{' is not allowed in ADQL",
             "'": "this string is not closed: add the missing quote (')",
             '"': "this quoted name is not closed: add the missing '\"'"}
    if text.startswith("/*", position):
        return AdqlError("'/* */' comments are not ADQL; use '--' comments", line, column)
    return AdqlError(hints.get(char, f"unexpected character {char!r}"), line, column)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files(__package__).joinpath("adql.lark").read_text()
    return Lark(grammar, parser="lalr", lexer=AdqlLexer, maybe_placeholders=False,
                transformer=_Builder(), cache=False)


def _first_pos(items: Any) -> a.Pos:
    """Position of the first token or positioned node among ``items`` (depth first)."""
    for item in items:
        if isinstance(item, Token):
            return a.Pos(item.line or 0, item.column or 0)
        pos = getattr(item, "pos", None)
        if isinstance(pos, a.Pos) and pos != a.NOWHERE:
            return pos
        if isinstance(item, tuple):
            found = _first_pos(item)
            if found != a.NOWHERE:
                return found
    return a.NOWHERE


def _tok_pos(token: Token) -> a.Pos:
    return a.Pos(token.line or 0, token.column or 0)


def _unescape_string(raw: str) -> str:
    return raw[1:-1].replace("''", "'")


class _Builder(Transformer[Any, Any]):
    """lark tree → :mod:`adql.ast` nodes."""

    # -- identifiers and literals ---------------------------------------------------------
    def regular_identifier(self, items: list[Token]) -> a.Ident:
        return a.Ident(str(items[0]), False, _tok_pos(items[0]))

    def delimited_identifier(self, items: list[Token]) -> a.Ident:
        raw = str(items[0])[1:-1].replace('""', '"')
        if raw.strip() == "":
            raise AdqlError("a quoted name cannot be blank", items[0].line, items[0].column)
        return a.Ident(raw, True, _tok_pos(items[0]))

    def integer(self, items: list[Token]) -> a.Literal:
        return a.Literal(int(items[0]), "int", _tok_pos(items[0]))

    def decimal(self, items: list[Token]) -> a.Literal:
        return a.Literal(float(items[0]), "float", _tok_pos(items[0]))

    def hex(self, items: list[Token]) -> a.Literal:
        return a.Literal(int(str(items[0]), 16), "int", _tok_pos(items[0]))

    def string_literal(self, items: list[Token]) -> a.Literal:
        return a.Literal("".join(_unescape_string(str(t)) for t in items), "string",
                         _tok_pos(items[0]))

    def null(self, items: list[Token]) -> a.Literal:
        return a.Literal(None, "null", _tok_pos(items[0]))

    def true(self, items: list[Token]) -> a.Literal:
        return a.Literal(True, "bool", _tok_pos(items[0]))

    def false(self, items: list[Token]) -> a.Literal:
        return a.Literal(False, "bool", _tok_pos(items[0]))

    # -- statement structure --------------------------------------------------------------
    def statement(self, items: list[Any]) -> a.QueryExpr:
        return items[0]

    def query_expression(self, items: list[Any]) -> a.QueryExpr:
        with_: tuple[a.CommonTable, ...] = ()
        order: tuple[a.SortSpec, ...] = ()
        offset = None
        body = None
        for item in items:
            if isinstance(item, tuple) and item and item[0] == "with":
                with_ = item[1]
            elif isinstance(item, tuple) and item and item[0] == "order":
                order = item[1]
            elif isinstance(item, tuple) and item and item[0] == "offset":
                offset = item[1]
            else:
                body = item
        assert body is not None
        return a.QueryExpr(body, with_, order, offset, _first_pos(items))

    def with_clause(self, items: list[Any]) -> tuple[str, tuple[a.CommonTable, ...]]:
        return ("with", tuple(i for i in items if isinstance(i, a.CommonTable)))

    def with_item(self, items: list[Any]) -> a.CommonTable:
        name = items[0]
        columns: tuple[a.Ident, ...] = ()
        query = items[-1]
        for item in items[1:-1]:
            if isinstance(item, tuple) and all(isinstance(i, a.Ident) for i in item):
                columns = item
        return a.CommonTable(name, columns, query, _first_pos(items))

    def column_list(self, items: list[a.Ident]) -> tuple[a.Ident, ...]:
        return tuple(items)

    def _set(self, op: str, items: list[Any]) -> a.SetOp:
        parts = [i for i in items if not isinstance(i, Token)]
        is_all = any(isinstance(i, Token) and i.type == "ALL" for i in items)
        return a.SetOp(op, is_all, parts[0], parts[1], _first_pos(items))

    def union(self, items: list[Any]) -> a.SetOp:
        return self._set("UNION", items)

    def except_(self, items: list[Any]) -> a.SetOp:
        return self._set("EXCEPT", items)

    def intersect(self, items: list[Any]) -> a.SetOp:
        return self._set("INTERSECT", items)

    def query_specification(self, items: list[Any]) -> a.Select:
        distinct = False
        top = None
        select_items: tuple[a.SelectItem, ...] = ()
        from_: tuple[a.FromItem, ...] = ()
        where = having = None
        group: tuple[a.Expr, ...] = ()
        for item in items:
            if isinstance(item, Token):
                continue
            tag = item[0] if isinstance(item, tuple) and item and isinstance(item[0], str) \
                else None
            if tag == "quantifier":
                distinct = item[1]
            elif tag == "top":
                top = item[1]
            elif tag == "items":
                select_items = item[1]
            elif tag == "from":
                from_ = item[1]
            elif tag == "where":
                where = item[1]
            elif tag == "group":
                group = item[1]
            elif tag == "having":
                having = item[1]
        return a.Select(select_items, from_, distinct, top, where, group, having, _first_pos(items))

    def set_quantifier(self, items: list[Token]) -> tuple[str, bool]:
        return ("quantifier", items[0].type == "DISTINCT")

    def top_clause(self, items: list[Token]) -> tuple[str, int]:
        return ("top", int(items[1]))

    def select_all(self, items: list[Token]) -> tuple[str, tuple[a.SelectItem, ...]]:
        return ("items", (a.AllColumns(_tok_pos(items[0])),))

    def select_items(self, items: list[Any]) -> tuple[str, tuple[a.SelectItem, ...]]:
        return ("items", tuple(items))

    def derived_column(self, items: list[Any]) -> a.SelectItem:
        values = [i for i in items if not isinstance(i, Token)]
        if len(values) == 1 and isinstance(values[0], a.AllColumns):
            return values[0]
        alias = values[1] if len(values) > 1 else None
        return a.DerivedColumn(values[0], alias, _first_pos(items))

    def qualified_asterisk(self, items: list[Any]) -> a.QualifiedAll:
        return a.QualifiedAll(tuple(i for i in items if isinstance(i, a.Ident)), _first_pos(items))

    def star_item(self, items: list[Token]) -> a.AllColumns:
        return a.AllColumns(_tok_pos(items[0]))

    def from_clause(self, items: list[Any]) -> tuple[str, tuple[a.FromItem, ...]]:
        return ("from", tuple(i for i in items if not isinstance(i, Token)))

    def where_clause(self, items: list[Any]) -> tuple[str, a.Expr]:
        return ("where", items[1])

    def group_by_clause(self, items: list[Any]) -> tuple[str, tuple[a.Expr, ...]]:
        return ("group", tuple(i for i in items if not isinstance(i, Token)))

    def having_clause(self, items: list[Any]) -> tuple[str, a.Expr]:
        return ("having", items[1])

    def order_by_clause(self, items: list[Any]) -> tuple[str, tuple[a.SortSpec, ...]]:
        return ("order", tuple(i for i in items if isinstance(i, a.SortSpec)))

    def sort_spec(self, items: list[Any]) -> a.SortSpec:
        descending = len(items) > 1 and items[1] == "DESC"
        return a.SortSpec(items[0], descending, _first_pos(items))

    def ordering(self, items: list[Token]) -> str:
        return items[0].type

    def offset_clause(self, items: list[Token]) -> tuple[str, int]:
        return ("offset", int(items[1]))

    # -- FROM ----------------------------------------------------------------------------
    def table_name(self, items: list[a.Ident]) -> tuple[a.Ident, ...]:
        return tuple(items)

    def qualifier(self, items: list[a.Ident]) -> tuple[a.Ident, ...]:
        return tuple(items)

    def correlation(self, items: list[Any]) -> tuple[a.Ident, tuple[a.Ident, ...]]:
        values = [i for i in items if not isinstance(i, Token)]
        columns = values[1] if len(values) > 1 else ()
        return (values[0], columns)

    def table_ref(self, items: list[Any]) -> a.TableName:
        alias, columns = items[1] if len(items) > 1 else (None, ())
        return a.TableName(items[0], alias, columns, _first_pos(items))

    def derived_table(self, items: list[Any]) -> a.DerivedTable:
        alias, columns = items[1]
        return a.DerivedTable(items[0], alias, columns, _first_pos(items))

    def parenthesized_join(self, items: list[Any]) -> a.Join:
        return items[0]

    def joined_table(self, items: list[Any]) -> a.Join:
        return items[0]

    def cross_join(self, items: list[Any]) -> a.Join:
        parts = [i for i in items if not isinstance(i, Token)]
        return a.Join("cross", parts[0], parts[1], pos=_first_pos(items))

    def natural_join(self, items: list[Any]) -> a.Join:
        parts = [i for i in items if not isinstance(i, Token)]
        kind = next((p for p in parts if isinstance(p, str)), "inner").rstrip("!")
        tables = [p for p in parts if not isinstance(p, str)]
        return a.Join(kind, tables[0], tables[1], natural=True, pos=_first_pos(items))

    def qualified_join(self, items: list[Any]) -> a.Join:
        parts = [i for i in items if not isinstance(i, Token)]
        kind = next((p for p in parts if isinstance(p, str)), "inner")
        tables = [p for p in parts if not isinstance(p, str | tuple)]
        spec = next((p for p in parts if isinstance(p, tuple)), None)
        on = spec[1] if spec and spec[0] == "on" else None
        using = spec[1] if spec and spec[0] == "using" else ()
        if kind == "inner!":
            if spec is None and not isinstance(tables[1], a.Join):
                raise AdqlError("INNER JOIN needs ON or USING", _first_pos(items).line,
                                _first_pos(items).column)
            kind = "inner"
        return a.Join(kind, tables[0], tables[1], on=on, using=using, pos=_first_pos(items))

    def inner(self, items: list[Any]) -> str:
        return "inner!"

    def left(self, items: list[Any]) -> str:
        return "left"

    def right(self, items: list[Any]) -> str:
        return "right"

    def full(self, items: list[Any]) -> str:
        return "full"

    def join_on(self, items: list[Any]) -> tuple[str, a.Expr]:
        return ("on", items[1])

    def join_using(self, items: list[Any]) -> tuple[str, tuple[a.Ident, ...]]:
        return ("using", tuple(i for i in items if isinstance(i, a.Ident)))

    # -- expressions ------------------------------------------------------------------------
    def or_(self, items: list[Any]) -> a.BoolOp:
        return a.BoolOp("OR", items[0], items[2], _first_pos(items))

    def and_(self, items: list[Any]) -> a.BoolOp:
        return a.BoolOp("AND", items[0], items[2], _first_pos(items))

    def not_(self, items: list[Any]) -> a.Not:
        return a.Not(items[1], _first_pos(items))

    def comp_op(self, items: list[Token]) -> str:
        op = str(items[0])
        return "<>" if op == "!=" else op

    def comparison(self, items: list[Any]) -> a.Comparison:
        return a.Comparison(items[1], items[0], items[2], _first_pos(items))

    @staticmethod
    def _negated(items: list[Any]) -> bool:
        return any(isinstance(i, Token) and i.type == "NOT" for i in items)

    @staticmethod
    def _values(items: list[Any]) -> list[Any]:
        return [i for i in items if not isinstance(i, Token)]

    def between(self, items: list[Any]) -> a.Between:
        v = self._values(items)
        return a.Between(v[0], v[1], v[2], self._negated(items), _first_pos(items))

    def like(self, items: list[Any]) -> a.Like:
        v = self._values(items)
        return a.Like(v[0], v[1], self._negated(items), False, _first_pos(items))

    def ilike(self, items: list[Any]) -> a.Like:
        v = self._values(items)
        return a.Like(v[0], v[1], self._negated(items), True, _first_pos(items))

    def in_subquery(self, items: list[Any]) -> a.InSubquery:
        v = self._values(items)
        return a.InSubquery(v[0], v[1], self._negated(items), _first_pos(items))

    def in_list(self, items: list[Any]) -> a.InList:
        v = self._values(items)
        return a.InList(v[0], tuple(v[1:]), self._negated(items), _first_pos(items))

    def is_null(self, items: list[Any]) -> a.IsNull:
        return a.IsNull(self._values(items)[0], self._negated(items), _first_pos(items))

    def exists(self, items: list[Any]) -> a.Exists:
        return a.Exists(self._values(items)[0], _first_pos(items))

    def _binary(self, op: str, items: list[Any]) -> a.BinaryOp:
        return a.BinaryOp(op, items[0], items[2], _first_pos(items))

    def concat(self, items: list[Any]) -> a.BinaryOp:
        return self._binary("||", items)

    def add(self, items: list[Any]) -> a.BinaryOp:
        return self._binary("+", items)

    def sub(self, items: list[Any]) -> a.BinaryOp:
        return self._binary("-", items)

    def mul(self, items: list[Any]) -> a.BinaryOp:
        return self._binary("*", items)

    def div(self, items: list[Any]) -> a.BinaryOp:
        return self._binary("/", items)

    def pos(self, items: list[Any]) -> a.Expr:
        return a.UnaryOp("+", items[1], _first_pos(items))

    def neg(self, items: list[Any]) -> a.Expr:
        operand = items[1]
        if isinstance(operand, a.Literal) and operand.kind in ("int", "float"):
            return a.Literal(-operand.value, operand.kind, _first_pos(items))  # type: ignore[operator]
        return a.UnaryOp("-", operand, _first_pos(items))

    def paren(self, items: list[Any]) -> a.Expr:
        return items[0]

    def scalar_subquery(self, items: list[Any]) -> a.ScalarSubquery:
        return a.ScalarSubquery(items[0], _first_pos(items))

    def subquery(self, items: list[Any]) -> a.QueryExpr:
        return items[0]

    def column_reference(self, items: list[a.Ident]) -> a.ColumnRef:
        return a.ColumnRef(tuple(items), items[0].pos)

    def function_call(self, items: list[Any]) -> a.FuncCall:
        name: a.Ident = items[0]
        args: tuple[a.Expr, ...] = ()
        distinct = star = False
        if len(items) > 1:
            kind, payload, quantifier = items[1]
            if kind == "star":
                star = True
            else:
                args = payload
                distinct = quantifier
        return a.FuncCall(name, args, distinct, star, name.pos)

    def star_arg(self, items: list[Any]) -> tuple[str, tuple[()], bool]:
        return ("star", (), False)

    def args(self, items: list[Any]) -> tuple[str, tuple[a.Expr, ...], bool]:
        distinct = False
        values = []
        for item in items:
            if isinstance(item, tuple) and item and item[0] == "quantifier":
                distinct = item[1]
            else:
                values.append(item)
        return ("args", tuple(values), distinct)

    def searched_case(self, items: list[Any]) -> a.Case:
        whens = tuple(i for i in items if isinstance(i, tuple) and i[0] == "when")
        else_ = next((i[1] for i in items if isinstance(i, tuple) and i[0] == "else"), None)
        return a.Case(None, tuple((w[1], w[2]) for w in whens), else_, _first_pos(items))

    def simple_case(self, items: list[Any]) -> a.Case:
        operand = items[1]
        case = self.searched_case(items)
        return a.Case(operand, case.whens, case.else_, case.pos)

    def when_clause(self, items: list[Any]) -> tuple[str, a.Expr, a.Expr]:
        v = self._values(items)
        return ("when", v[0], v[1])

    def else_clause(self, items: list[Any]) -> tuple[str, a.Expr]:
        return ("else", self._values(items)[0])

    def cast_expression(self, items: list[Any]) -> a.Cast:
        v = self._values(items)
        return a.Cast(v[0], v[1], _first_pos(items))

    def cast_type(self, items: list[Any]) -> a.CastType:
        words = [i for i in items if isinstance(i, a.Ident)]
        length = next((int(i) for i in items if isinstance(i, Token)), None)
        name = " ".join(w.name.upper() for w in words)
        if any(w.delimited for w in words) or name not in CAST_TYPES:
            raise AdqlError(f"CAST to {name} is not possible: the types are "
                            f"{', '.join(sorted(CAST_TYPES))}", words[0].pos.line,
                            words[0].pos.column)
        if length is not None and name not in ("CHAR", "VARCHAR"):
            raise AdqlError(f"{name} takes no length", words[0].pos.line, words[0].pos.column)
        return a.CastType(name, length)


_EXPECTED_SKIP = {"WHITESPACE", "COMMENT"}


def _describe_expected(expected: set[str]) -> str:
    words = sorted({_TOKEN_WORDS.get(e, e) for e in expected if e not in _EXPECTED_SKIP})
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words)


def _near(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    if 1 <= line <= len(lines):
        snippet = lines[line - 1][max(0, column - 1):][:20].strip()
        if snippet:
            return f" near '{snippet}'"
    return ""


def _syntax_error(exc: UnexpectedInput, text: str) -> AdqlError:
    line = getattr(exc, "line", None) or 0
    column = getattr(exc, "column", None) or 0
    if isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        char = text[at] if at < len(text) else "?"
        hints = {";": "only one statement is allowed; remove ';'",
                 ":": "'::' casts are not ADQL; use CAST(x AS type)",
                 "$": "'$' is not allowed in ADQL",
                 "[": "array subscripts are not ADQL",
                 "{": "'{' is not allowed in ADQL"}
        if text.startswith("/*", at):
            message = "'/* */' comments are not ADQL; use '--' comments"
        else:
            message = hints.get(char, f"unexpected character {char!r}")
        return AdqlError(message, line, column)
    if isinstance(exc, UnexpectedEOF):
        return AdqlError(f"the query ends too early; expected "
                         f"{_describe_expected(set(exc.expected))}", line or None, None)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            line, column = _end_position(text)
            return AdqlError(f"the query ends too early; expected "
                             f"{_describe_expected(set(exc.expected))}", line, column)
        found = f"'{token}'"
        near = _near(text, line, column)
        return AdqlError(f"unexpected {found}{near}; "
                         f"expected {_describe_expected(set(exc.expected))}", line, column)
    return AdqlError(str(exc), line or None, column or None)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.rstrip().splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_tree(text: str) -> a.QueryExpr:
    """Parse ``text`` into an AST (syntax only; see :func:`parse` for the checks)."""
    if not isinstance(text, str):
        raise AdqlError("the query must be text")
    if not text.strip():
        raise AdqlError("the query is empty")
    bad = _BAD_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise AdqlError(f"control character {bad.group()!r} is not allowed in a query",
                        line, column)
    try:
        result = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    except Exception as exc:  # lark may wrap errors raised by the AST builder
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, AdqlError):
            raise inner from None
        raise
    assert isinstance(result, a.QueryExpr)
    return result


def parse(text: str, functions: frozenset[str] | set[str] | None = None) -> a.Query:
    """Parse and check ADQL ``text``; ``functions`` adds declared UDF names."""
    from .checks import check_syntax

    root = parse_tree(text)
    known = frozenset(FUNCTIONS) | frozenset(f.lower() for f in (functions or ()))
    check_syntax(root, known)
    return a.Query(text, root, known)


__all__ = ["RESERVED_WORDS", "parse", "parse_tree"]
