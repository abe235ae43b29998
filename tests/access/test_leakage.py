"""Hostile queries: no query shape, endpoint or error shows a private row to the wrong caller.

Every query runs, through HTTP, as anonymous, as members of each team, as the
GRAVITY PI, as a user without team and as a site admin. The response body must
not contain any marker the caller may not see; where the shape returns the
visible rows, the owner must get exactly theirs (so the test fails if the
filter hides too much as well as too little).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable

import pytest
from astropy.io.votable import parse_single_table
from astropy.table import Table as AstropyTable
from conftest import CALLERS, LINKED, MARKERS, PLANS, VISIBLE, Workspace

#: ADQL shapes whose first column lists the visible plans' target names.
NAME_SHAPES = {
    "plain": "SELECT target_name FROM ivoa.obsplan",
    "star": "SELECT * FROM ivoa.obsplan",
    "self-join": "SELECT p.target_name FROM ivoa.obsplan AS p JOIN ivoa.obsplan AS q "
                 "ON p.plan_id = q.plan_id",
    "outer-join": "SELECT o.target_name FROM ivoa.obsplan AS o LEFT OUTER JOIN "
                  "obsportal.plan_execution AS e ON e.plan_id = o.plan_id",
    "union": "SELECT target_name FROM ivoa.obscore WHERE 1 = 0 UNION "
             "SELECT target_name FROM ivoa.obsplan",
    "cte": "WITH p AS (SELECT target_name FROM ivoa.obsplan) SELECT target_name FROM p",
    "derived": "SELECT t FROM (SELECT target_name AS t FROM ivoa.obsplan) AS sub",
    "in-subquery": "SELECT target_name FROM ivoa.obsplan WHERE plan_id IN "
                   "(SELECT plan_id FROM ivoa.obsplan WHERE target_name LIKE 'SECRET%')",
    "geometry": "SELECT target_name FROM ivoa.obsplan WHERE 1 = CONTAINS("
                "POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 12, -22, 30))",
    "distinct-order": "SELECT DISTINCT target_name FROM ivoa.obsplan ORDER BY target_name",
    "public-join": "SELECT p.target_name FROM ivoa.obsplan AS p JOIN obsportal.plan_execution"
                   " AS e ON e.plan_id = p.plan_id JOIN obsportal.ob_exec AS x "
                   "ON x.ob_exec_id = e.ob_exec_id",
    "intersect": "SELECT target_name FROM ivoa.obsplan INTERSECT "
                 "SELECT target_name FROM ivoa.obsplan",
    "except": "SELECT target_name FROM ivoa.obsplan EXCEPT "
              "SELECT target_name FROM ivoa.obscore",
}
#: Shapes that only return linked plans (execution links follow their plan).
LINKED_SHAPES = {"outer-join-linked": "SELECT o.target_name FROM ivoa.obsplan AS o JOIN "
                 "obsportal.plan_execution AS e ON e.plan_id = o.plan_id",
                 "public-join": NAME_SHAPES["public-join"]}


def _sync(ws: Workspace, user: str | None, query: str, **extra: object) -> tuple[int, bytes]:
    response = ws.client.post("/tap/sync", headers=ws.headers(user),
                              data={"LANG": "ADQL", "QUERY": query, "FORMAT": "votable/td",
                                    **extra})
    return response.status_code, response.content


def _no_foreign_markers(body: bytes, user: str | None) -> None:
    """Queries never spell a whole marker, so any marker in a body came from the data."""
    text = body.decode("utf-8", "replace")
    leaked = {m for m in MARKERS - VISIBLE[user] if m in text}
    assert not leaked, f"{user or 'anonymous'} saw {sorted(leaked)}"


def _first_column(body: bytes) -> list[str]:
    table = parse_single_table(io.BytesIO(body)).to_table()
    return [str(v) for v in table.columns[0]] if len(table) else []


def _secret_names(values: Iterable[str]) -> set[str]:
    return {v for v in values if v.startswith("SECRET-") and not v.endswith("-CAL")}


@pytest.mark.parametrize("user", CALLERS)
@pytest.mark.parametrize("shape", sorted(NAME_SHAPES))
def test_name_shapes_show_exactly_the_visible_plans(workspace: Workspace, shape: str,
                                                     user: str | None) -> None:
    status, body = _sync(workspace, user, NAME_SHAPES[shape])
    assert status == 200, body[:500]
    _no_foreign_markers(body, user)
    expected = VISIBLE[user] & LINKED if shape == "public-join" else VISIBLE[user]
    if shape == "star":
        names = AstropyTable.read(io.BytesIO(body), format="votable")["target_name"]
        assert _secret_names(str(n) for n in names) == expected
    else:
        assert _secret_names(_first_column(body)) == expected


@pytest.mark.parametrize("user", CALLERS)
def test_linked_executions_follow_their_plan(workspace: Workspace, user: str | None) -> None:
    status, body = _sync(workspace, user, LINKED_SHAPES["outer-join-linked"])
    assert status == 200
    _no_foreign_markers(body, user)
    assert _secret_names(_first_column(body)) == VISIBLE[user] & LINKED
    status, body = _sync(workspace, user, "SELECT COUNT(*) AS n FROM obsportal.plan_execution")
    assert int(_first_column(body)[0]) == len(VISIBLE[user] & LINKED)


@pytest.mark.parametrize("user", CALLERS)
def test_aggregates_count_only_visible_rows(workspace: Workspace, user: str | None) -> None:
    status, body = _sync(workspace, user, "SELECT COUNT(*) AS n FROM ivoa.obsplan")
    assert status == 200 and int(_first_column(body)[0]) == len(VISIBLE[user])
    status, body = _sync(workspace, user, "SELECT instrument_name, COUNT(*) AS n, MAX(s_ra) "
                                          "AS ra FROM ivoa.obsplan GROUP BY instrument_name")
    table = parse_single_table(io.BytesIO(body)).to_table()
    counts = {str(r["instrument_name"]): int(r["n"]) for r in table}
    expected: dict[str, int] = {}
    for marker in VISIBLE[user]:
        expected[PLANS[marker][1]] = expected.get(PLANS[marker][1], 0) + 1
    assert counts == expected
    # A scalar sub-query in the select list of a public table.
    status, body = _sync(workspace, user, "SELECT s.schema_name, (SELECT MAX(target_name) "
                         "FROM ivoa.obsplan) AS t FROM tap_schema.schemas AS s")
    assert status == 200
    _no_foreign_markers(body, user)


@pytest.mark.parametrize("user", CALLERS)
def test_exists_is_no_oracle(workspace: Workspace, user: str | None) -> None:
    status, body = _sync(workspace, user, "SELECT s.schema_name FROM tap_schema.schemas AS s "
                         "WHERE EXISTS (SELECT plan_id FROM ivoa.obsplan "
                         "WHERE target_name LIKE 'SECRET-BETA-DRAF_')")
    assert status == 200
    assert bool(_first_column(body)) == ("SECRET-BETA-DRAFT" in VISIBLE[user])


@pytest.mark.parametrize("user", CALLERS)
def test_errors_reveal_nothing(workspace: Workspace, user: str | None) -> None:
    # A condition that fails (division by zero) on exactly one hidden row: a database
    # that evaluated it before the access rule would answer with an error.
    status, body = _sync(workspace, user, "SELECT target_name FROM ivoa.obsplan WHERE "
                         "1 / (CASE WHEN target_name LIKE 'SECRET-BETA-DRAF_' THEN 0 ELSE 1 END)"
                         " = 1")
    _no_foreign_markers(body, user)
    if "SECRET-BETA-DRAFT" not in VISIBLE[user]:
        assert status == 200, body[:400]
        assert _secret_names(_first_column(body)) == VISIBLE[user]
    # A cast that fails on every row's value: an error message may only quote visible rows.
    status, body = _sync(workspace, user, "SELECT CAST(target_name AS INTEGER) AS n "
                         "FROM ivoa.obsplan")
    _no_foreign_markers(body, user)
    if not VISIBLE[user]:
        assert status == 200
    # Misspelt names in a private table are reported without data.
    status, body = _sync(workspace, user, "SELECT target_nam FROM ivoa.obsplan")
    assert status == 400 and b"target_name" in body
    _no_foreign_markers(body, user)


@pytest.mark.parametrize("user", CALLERS)
def test_upload_join(workspace: Workspace, user: str | None) -> None:
    names = "".join(f"<TR><TD>{m}</TD></TR>" for m in sorted(MARKERS))
    upload = ("<?xml version='1.0'?><VOTABLE version='1.4' "
              "xmlns='http://www.ivoa.net/xml/VOTable/v1.3'><RESOURCE><TABLE>"
              "<FIELD name='name' datatype='char' arraysize='*'/><DATA><TABLEDATA>"
              f"{names}</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>")
    response = workspace.client.post(
        "/tap/sync", headers=workspace.headers(user),
        data={"LANG": "ADQL", "FORMAT": "votable/td", "UPLOAD": "t,param:t",
              "QUERY": "SELECT p.obs_id FROM TAP_UPLOAD.t AS u JOIN ivoa.obsplan AS p "
                       "ON p.target_name = u.name"},
        files={"t": ("t.xml", upload, "application/x-votable+xml")})
    assert response.status_code == 200, response.text[:500]
    obs_ids = {v.split("/")[0] for v in _first_column(response.content)}
    assert obs_ids == VISIBLE[user]


def _run_async(ws: Workspace, user: str | None, query: str) -> tuple[str, bytes]:
    created = ws.client.post("/tap/async", headers=ws.headers(user), follow_redirects=False,
                             data={"LANG": "ADQL", "QUERY": query, "FORMAT": "votable/td",
                                   "PHASE": "RUN"})
    assert created.status_code == 303
    job = created.headers["location"].split("/tap/async/")[1]
    for _ in range(200):
        phase = ws.client.get(f"/tap/async/{job}/phase", headers=ws.headers(user)).text
        if phase in ("COMPLETED", "ERROR"):
            break
        time.sleep(0.05)
    assert phase == "COMPLETED"
    result = ws.client.get(f"/tap/async/{job}/results/result", headers=ws.headers(user))
    assert result.status_code == 200
    return job, result.content


@pytest.mark.parametrize("user", ["alice", "bob", None, "carol"])
def test_async_jobs_run_as_their_owner_and_stay_theirs(workspace: Workspace,
                                                        user: str | None) -> None:
    job, body = _run_async(workspace, user, "SELECT target_name FROM ivoa.obsplan")
    _no_foreign_markers(body, user)
    assert _secret_names(_first_column(body)) == VISIBLE[user]
    others = [u for u in CALLERS if u != user]
    for other in others:
        headers = workspace.headers(other)
        if user is None:
            continue  # an anonymous job is reachable by its URL only, like any public query
        for path in (f"/tap/async/{job}", f"/tap/async/{job}/phase",
                     f"/tap/async/{job}/results/result", f"/tap/async/{job}/parameters"):
            assert workspace.client.get(path, headers=headers).status_code == 404, (other, path)
        listing = workspace.client.get("/tap/async", headers=headers).text
        assert job not in listing
        assert workspace.client.post(f"/tap/async/{job}/phase", headers=headers,
                                     data={"PHASE": "ABORT"}).status_code == 404
        assert workspace.client.post(f"/tap/async/{job}", headers=headers,
                                     data={"ACTION": "DELETE"}).status_code == 404
        assert workspace.client.delete(f"/tap/async/{job}", headers=headers
                                       ).status_code == 404
    # The owner still has it, listed and readable.
    if user is not None:
        assert job in workspace.client.get("/tap/async", headers=workspace.headers(user)).text


@pytest.mark.parametrize("user", CALLERS)
def test_rest_shows_each_caller_only_its_plans(workspace: Workspace, user: str | None) -> None:
    headers = workspace.headers(user)
    listed = workspace.client.get("/api/plans", headers=headers)
    assert listed.status_code == 200
    _no_foreign_markers(listed.content, user)
    assert {p["target_name"] for p in listed.json()["plans"]} == VISIBLE[user]
    missing = workspace.client.get("/api/plans/987654", headers=headers)
    assert missing.status_code == 404
    for marker, plan_id in workspace.plan_ids.items():
        for path in (f"/api/plans/{plan_id}", f"/api/plans/{plan_id}/events"):
            response = workspace.client.get(path, headers=headers)
            if marker in VISIBLE[user]:
                assert response.status_code == 200
            else:
                # Indistinguishable from a plan that does not exist.
                assert response.status_code == 404
                assert response.json()["detail"] == f"no plan {plan_id}"
                _no_foreign_markers(response.content, user)
    proposals = workspace.client.get("/api/proposals", headers=headers)
    assert proposals.status_code == 200


def test_public_endpoints_never_show_plans(workspace: Workspace) -> None:
    for user in CALLERS:
        headers = workspace.headers(user)
        for path in ("/tap/examples", "/tap/tables", "/tap/capabilities",
                     "/search.votable?target=SECRET-ALPHA",
                     "/search.votable?ra=10&dec=-20&radius=3600"):
            response = workspace.client.get(path, headers=headers)
            assert response.status_code in (200, 400), (path, response.status_code)
            _no_foreign_markers(response.content, None)
        status, body = _sync(workspace, user, "SELECT * FROM TAP_SCHEMA.columns")
        assert status == 200
        _no_foreign_markers(body, None)


def test_team_plans_example_returns_the_callers_plans(workspace: Workspace) -> None:
    from obsportal.service.tap.examples import EXAMPLES

    query = next(e.query for e in EXAMPLES if e.id == "team-plans-and-executions")
    for user in CALLERS:
        status, body = _sync(workspace, user, query)
        assert status == 200, body[:300]
        _no_foreign_markers(body, user)
        assert {v.split("/")[0] for v in _first_column(body)} == VISIBLE[user]
