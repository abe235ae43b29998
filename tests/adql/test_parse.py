"""Parsing: the lyonetia conformance corpus, error messages, hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from obsportal.adql import AdqlError, parse, translate


def _lyonetia_cases(shared: Path) -> list[tuple[str, bool, str, set[str]]]:
    cases = []
    for path in sorted((shared / "external/adql/lyonetia/adql").glob("*/*.xml")):
        for query in etree.parse(str(path)).getroot().iter("query"):
            adql = query.find("adql")
            assert adql is not None
            declared = {m.group(1) for form in query.iter("form")
                        if (m := re.match(r"\s*([A-Za-z_0-9]+)\s*\(", form.text or ""))}
            cases.append((f"{path.parent.name}/{path.name}", adql.get("valid") == "true",
                          adql.text or "", declared))
    return cases


def test_lyonetia_corpus(shared_dir: Path) -> None:
    """Every valid query parses, every invalid one is rejected (figures in the message)."""
    cases = _lyonetia_cases(shared_dir)
    wrong = []
    for source, valid, text, declared in cases:
        try:
            parse(text, declared)
            accepted = True
        except AdqlError:
            accepted = False
        if accepted != valid:
            wrong.append((source, valid, text.strip()[:80]))
    valid_count = sum(1 for c in cases if c[1])
    print(f"lyonetia: {len(cases)} queries ({valid_count} valid, {len(cases) - valid_count} "
          f"invalid), {len(cases) - len(wrong)} classified correctly")
    assert len(cases) == 495
    assert wrong == []


@pytest.mark.parametrize(("query", "line", "column", "words"), [
    ("SELECT FROM ivoa.obscore", 1, 8, "unexpected 'FROM'"),
    ("SELECT obs_id\nFROM ivoa.obscore\nWHERE s_ra >", 3, 13, "ends too early"),
    ("SELECT obs_id FROM ivoa.obscore WHERE", 1, 38, "ends too early"),
    ("SELECT distance FROM ivoa.obscore", 1, 8, "reserved word"),
    ("SELECT obs_id FROM ivoa.obscore WHERE s_ra", 1, 39, "needs a condition"),
    ("SELECT TAN2(s_ra) FROM ivoa.obscore", 1, 8, "unknown function TAN2"),
    ("SELECT ABS(s_ra, s_dec) FROM ivoa.obscore", 1, 8, "ABS takes 1 argument"),
    ("SELECT obs_id FROM ivoa.obscore; DROP TABLE x", 1, 32, "only one statement"),
])
def test_errors_name_position_and_problem(query: str, line: int, column: int,
                                          words: str) -> None:
    with pytest.raises(AdqlError) as info:
        parse(query)
    error = info.value
    assert words in error.message
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"line {line}, column {column}: ")


@pytest.mark.parametrize(("query", "words"), [
    ("SELECT nope FROM ivoa.obscore", "unknown column nope"),
    ("SELECT s_rax FROM ivoa.obscore", "did you mean s_ra"),
    ("SELECT * FROM ivoa.nothing", "unknown table ivoa.nothing"),
    ("SELECT target_name FROM ivoa.obscore AS a, obsportal.exposure AS b",
     "target_name is ambiguous"),
    ("SELECT * FROM ivoa.obscore WHERE 1 = CONTAINS(POINT('GALACTIC', s_ra, s_dec), "
     "CIRCLE('ICRS', 1, 2, 3))", "coordinate system 'GALACTIC' is not supported"),
    ("SELECT REGION('Circle ICRS 1 2 3') FROM ivoa.obscore", "REGION is not supported"),
    ("SELECT ivo_nonsense(1) FROM ivoa.obscore", "unknown function ivo_nonsense"),
    ("SELECT * FROM uws.job", "unknown table uws.job"),
    ("SELECT * FROM obsportal.harvest_state", "unknown table obsportal.harvest_state"),
])
def test_resolution_errors_name_the_culprit(query: str, words: str) -> None:
    for dialect in ("postgresql", "sqlite"):
        with pytest.raises(AdqlError) as info:
            translate(query, dialect=dialect)
        assert words in str(info.value)


HOSTILE = [
    "SELECT * FROM ivoa.obscore; DELETE FROM obsportal.exposure",
    "SELECT * FROM pg_catalog.pg_user",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM sqlite_master",
    "SELECT pg_sleep(10) FROM ivoa.obscore",
    "SELECT pg_read_file('/etc/passwd') FROM ivoa.obscore",
    "SELECT obs_id::text FROM ivoa.obscore",
    "SELECT $$x$$ FROM ivoa.obscore",
    "SELECT obs_id FROM ivoa.obscore /* comment */",
    "SELECT lo_import('/etc/passwd') FROM ivoa.obscore",
    "SELECT * FROM ivoa.obscore WHERE obs_id = '' OR 1=1; --'",
    "SELECT load_extension('x') FROM ivoa.obscore",
    "SELECT \"pg_catalog\".\"pg_sleep\"(1) FROM ivoa.obscore",
    "SELECT * FROM \"pg_catalog\".\"pg_class\"",
    "SELECT * FROM ivoa.obscore WHERE obs_id = '\u0000'",
    "SELECT current_setting('x') FROM ivoa.obscore",
    "SELECT version() FROM ivoa.obscore",
    "COPY ivoa.obscore TO '/tmp/x'",
    "INSERT INTO ivoa.obscore VALUES (1)",
    "SELECT * INTO x FROM ivoa.obscore",
    "WITH x AS (DELETE FROM ivoa.obscore RETURNING *) SELECT * FROM x",
    "SELECT * FROM ivoa.obscore FOR UPDATE",
    "SELECT set_config('statement_timeout', '0', false) FROM ivoa.obscore",
    "SELECT obs_id FROM ivoa.obscore WHERE obs_id = E'\\x27'",
    "SELECT * FROM ＩＶＯＡ.obscore",
    "SELECT * FROM ivoa.obsсore",  # Cyrillic 'с'
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_refused_with_a_message(query: str) -> None:
    for dialect in ("postgresql", "sqlite"):
        with pytest.raises(AdqlError) as info:
            translate(query, dialect=dialect)
        assert info.value.message


def test_literals_and_identifiers_are_quoted_not_pasted() -> None:
    sql = translate("SELECT obs_id AS \"x\"\"y\" FROM ivoa.obscore "
                    "WHERE obs_id = 'a''; DROP TABLE t; --'").sql
    assert "'a''; DROP TABLE t; --'" in sql
    assert '"x""y"' in sql
    assert ";" not in sql.replace("'a''; DROP TABLE t; --'", "")
