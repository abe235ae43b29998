"""/tap/sync over HTTP on both backends: parameters, formats, limits, errors, uploads."""

from __future__ import annotations

import io

import httpx
import pytest
from astropy.io.votable import parse, parse_single_table

from obsportal.service.tap.examples import EXAMPLES

QUERY = "SELECT TOP 5 obs_id, s_ra, obs_title, obs_release_date FROM ivoa.obscore ORDER BY obs_id"


def _status(data: bytes) -> list[tuple[str, str]]:
    votable = parse(io.BytesIO(data), verify="exception")
    return [(i.name, i.value) for i in votable.resources[0].infos if i.name == "QUERY_STATUS"]


def test_get_and_post_case_insensitive_parameters(live) -> None:  # type: ignore[no-untyped-def]
    got = httpx.get(f"{live.url}/sync", params={"lang": "ADQL", "Query": QUERY,
                                                "REQUEST": "doQuery", "DUMMY": "x"})
    posted = httpx.post(f"{live.url}/sync", data={"LANG": "ADQL-2.1", "QUERY": QUERY})
    assert got.status_code == posted.status_code == 200
    assert got.headers["content-type"].startswith("application/x-votable+xml")
    a = parse_single_table(io.BytesIO(got.content)).to_table()
    b = parse_single_table(io.BytesIO(posted.content)).to_table()
    assert len(a) == 5 and list(a["obs_id"]) == list(b["obs_id"])
    assert a["s_ra"].unit == "deg"
    assert got.headers["server"].startswith("ObsPortal/")


def test_maxrec_overflow_and_metadata_only(live) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT obs_id FROM ivoa.obscore"
    response = httpx.get(f"{live.url}/sync", params={"LANG": "ADQL", "QUERY": query,
                                                     "MAXREC": "7"})
    assert len(parse_single_table(io.BytesIO(response.content)).array) == 7
    assert ("QUERY_STATUS", "OVERFLOW") in _status(response.content)
    empty = httpx.get(f"{live.url}/sync", params={"LANG": "ADQL", "QUERY": query,
                                                  "MAXREC": "0"})
    table = parse_single_table(io.BytesIO(empty.content))
    assert len(table.array) == 0 and table.fields[0].name == "obs_id"


@pytest.mark.parametrize(("fmt", "mime"), [
    ("votable/td", "application/x-votable+xml;serialization=TABLEDATA"),
    ("votable/b", "application/x-votable+xml;serialization=BINARY"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("json", "application/json"),
])
def test_formats(live, fmt: str, mime: str) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{live.url}/sync", params={"LANG": "ADQL", "QUERY": QUERY,
                                                     "RESPONSEFORMAT": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(mime)


@pytest.mark.parametrize(("params", "words"), [
    ({"LANG": "OOBLECK", "QUERY": "SELECT 1"}, "LANG=OOBLECK is not supported"),
    ({"LANG": "ADQL"}, "QUERY is missing"),
    ({"LANG": "ADQL", "QUERY": "SELECT nope FROM ivoa.obscore"},
     "line 1, column 8: unknown column nope"),
    ({"LANG": "ADQL", "QUERY": QUERY, "MAXREC": "-1"}, "MAXREC"),
    ({"LANG": "ADQL", "QUERY": QUERY, "RESPONSEFORMAT": "fits"}, "not supported"),
    ({"LANG": "ADQL", "QUERY": "SELECT * FROM pg_catalog.pg_user"}, "unknown table"),
])
def test_errors_are_dali_error_documents(live, params: dict[str, str],  # type: ignore[no-untyped-def]
                                         words: str) -> None:
    response = httpx.get(f"{live.url}/sync", params=params)
    assert response.status_code == 400
    votable = parse(io.BytesIO(response.content), verify="exception")
    info = votable.resources[0].infos[0]
    assert info.value == "ERROR" and words in info.content


@pytest.mark.parametrize("example", EXAMPLES[:5], ids=lambda e: e.id)
def test_examples_run_and_return_rows(live, example) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{live.url}/sync", params={"LANG": "ADQL", "QUERY": example.query})
    assert response.status_code == 200, response.text
    assert len(parse_single_table(io.BytesIO(response.content)).array) > 0


def test_inline_upload_joins_with_obscore(live) -> None:  # type: ignore[no-untyped-def]
    targets = (b'<?xml version="1.0"?><VOTABLE version="1.4" '
               b'xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>'
               b'<FIELD name="name" datatype="char" arraysize="*"/>'
               b'<FIELD name="ra" datatype="double" unit="deg"/>'
               b'<FIELD name="dec" datatype="double" unit="deg"/>'
               b"<DATA><TABLEDATA><TR><TD>star A</TD><TD>260.0491</TD><TD>21.9398</TD></TR>"
               b"<TR><TD>nowhere</TD><TD>0.1</TD><TD>0.1</TD></TR>"
               b"</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>")
    query = next(e.query for e in EXAMPLES if e.id == "upload-target-list")
    response = httpx.post(f"{live.url}/sync",
                          data={"LANG": "ADQL", "QUERY": query, "UPLOAD": "targets,param:t"},
                          files={"t": ("targets.vot", targets, "application/x-votable+xml")})
    assert response.status_code == 200, response.text
    table = parse_single_table(io.BytesIO(response.content)).to_table()
    assert len(table) > 10 and set(table["target"]) == {"star A"}


def test_upload_errors_are_clear(live) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(f"{live.url}/sync",
                          data={"LANG": "ADQL", "QUERY": "SELECT * FROM TAP_UPLOAD.t",
                                "UPLOAD": "t,param:missing"})
    assert response.status_code == 400 and b"no multipart part named" in response.content
    bad = httpx.post(f"{live.url}/sync",
                     data={"LANG": "ADQL", "QUERY": "SELECT * FROM TAP_UPLOAD.t",
                           "UPLOAD": "t,param:x"}, files={"x": ("x.vot", b"not xml")})
    assert bad.status_code == 400 and b"not a readable VOTable" in bad.content


def test_capabilities_and_examples_documents(live) -> None:  # type: ignore[no-untyped-def]
    caps = httpx.get(f"{live.url}/capabilities").text
    assert f'<accessURL use="base">{live.url}</accessURL>' in caps
    assert "ivo://ivoa.net/std/ObsCore#core-1.1" in caps
    assert "ivo_healpix_index" in caps and "ivo://ivoa.net/std/ADQL#v2.1" in caps
    examples = httpx.get(f"{live.url}/examples")
    assert 'vocab="http://www.ivoa.net/rdf/examples#"' in examples.text
    assert examples.text.count('typeof="example"') == len(EXAMPLES)


def test_sync_timeout_gives_a_clear_error(demo_sqlite) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from obsportal.service.app import create_app
    from obsportal.service.settings import Settings

    client = TestClient(create_app(demo_sqlite, Settings(sync_timeout=1, workers=0)))
    slow = ("SELECT COUNT(*) FROM ivoa.obscore AS a, ivoa.obscore AS b, ivoa.obscore AS c "
            "WHERE a.s_ra + b.s_ra > c.s_ra")
    response = client.get("/tap/sync", params={"LANG": "ADQL", "QUERY": slow})
    assert response.status_code == 400
    assert b"time limit" in response.content and b"/tap/async" in response.content
