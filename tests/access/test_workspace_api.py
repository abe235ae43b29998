"""The team workspace end to end over HTTP: tokens, plans, validation, workflow and
audit, proposals, file imports, and execution matching after a harvest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from astropy.io.votable import parse_single_table
from conftest import Workspace
from obscore_rows import make_rows, write_csv
from typer.testing import CliRunner

from obsportal.service.access.tokens import create_token, revoke_token
from obsportal.service.cli import app as cli
from obsportal.service.settings import get_settings

PLANS_DIR = Path(__file__).resolve().parents[1] / "data" / "plans"
PLAN = {"team": "alpha", "target_name": "HD 100001", "s_ra": 15.37, "s_dec": -59.0,
        "facility_name": "VLTI", "instrument_name": "GRAVITY",
        "instrument_mode": "MEDIUM-COMBINED", "configuration": "A0-G1-J2-K0",
        "calibrators": ["HD 200000", "HD 200002"], "sequence": "CAL-SCI-CAL",
        "ha_min": -2.0, "ha_max": 2.5, "period": "113"}


def _problem(response: object) -> dict[str, object]:
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    return body


def test_tokens_bearer_basic_revocation_and_expiry(workspace: Workspace) -> None:
    client = workspace.client
    me = client.get("/api/me", headers=workspace.headers("alice")).json()
    assert me["user"] == "alice" and me["teams"] == [{"name": "alpha", "role": "admin"}]
    assert client.get("/api/me", headers=workspace.headers("carol", basic=True)
                      ).json()["instrument_pi"] == ["GRAVITY"]
    assert client.get("/api/me").json()["anonymous"] is True
    # Wrong user name with a valid token, unknown token, malformed header: 401, never anonymous.
    import base64
    wrong = base64.b64encode(f"bob:{workspace.tokens['alice']}".encode()).decode()
    for header in (f"Basic {wrong}", "Bearer obsp_nothing", "Token abc"):
        response = client.get("/api/plans", headers={"Authorization": header})
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    tap = client.get("/tap/sync", params={"LANG": "ADQL", "QUERY": "SELECT 1 AS x FROM "
                                          "tap_schema.schemas"},
                     headers={"Authorization": "Bearer obsp_nothing"})
    assert tap.status_code == 401 and b"unknown API token" in tap.content
    with workspace.engine.begin() as conn:
        token_id, token = create_token(conn, "amy", label="laptop")
        _old, expired = create_token(conn, "amy", days=-1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=headers).json()["user"] == "amy"
    with workspace.engine.begin() as conn:
        assert revoke_token(conn, token_id)
    revoked = client.get("/api/me", headers=headers)
    assert revoked.status_code == 401 and "revoked" in _problem(revoked)["detail"]  # type: ignore[operator]
    late = client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert late.status_code == 401 and "expired" in _problem(late)["detail"]  # type: ignore[operator]


def test_plan_validation_gives_problem_details(workspace: Workspace) -> None:
    client = workspace.client
    alice = workspace.headers("alice")
    cases = [({"instrument_mode": "UNKNOWN-COMBINED"}, "not an ASPRO2 mode of GRAVITY"),
             ({"ha_min": 3.0, "ha_max": 1.0}, "ha_min must not exceed ha_max"),
             ({"s_ra": 400.0}, "s_ra"),
             ({"s_dec": None}, "give both s_ra and s_dec"),
             ({"sequence": "SCI-XYZ"}, "sequence"),
             ({"colour": "red"}, "colour")]
    for change, message in cases:
        body = {**PLAN, "obs_id": "bad", **change}
        response = client.post("/api/plans", json=body, headers=alice)
        assert response.status_code == 422, change
        problem = _problem(response)
        assert message in str(problem["detail"]), problem
    assert client.post("/api/plans", json={**PLAN, "obs_id": "anon"}).status_code == 401
    foreign = client.post("/api/plans", json={**PLAN, "obs_id": "x"},
                          headers=workspace.headers("bob"))
    assert foreign.status_code == 404
    assert _problem(foreign)["detail"] == "no team 'alpha' among your teams"


def test_workflow_with_roles_audit_and_obsloctap_status(workspace: Workspace) -> None:
    client = workspace.client
    amy, carol = workspace.headers("amy"), workspace.headers("carol")
    created = client.post("/api/plans", json={**PLAN, "obs_id": "wf-1"}, headers=amy)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["workflow_status"] == "draft" and plan["execution_status"] == "Planned"
    assert plan["calibrators"] == ["HD 200000", "HD 200002"]
    # Period 113 is 2024-04-01 .. 2024-10-01.
    assert (plan["t_min"], plan["t_max"]) == (60401.0, 60584.0)
    # Spectral coverage of GRAVITY MEDIUM-COMBINED (instrument_modes.csv): K band, R 500.
    assert plan["em_min"] == pytest.approx(1.99e-6) and plan["em_res_power"] == 500
    assert client.post("/api/plans", json={**PLAN, "obs_id": "wf-1"},
                       headers=amy).status_code == 409
    pid = plan["plan_id"]

    def move(headers: dict[str, str], to: str, note: str | None = None) -> object:
        return client.post(f"/api/plans/{pid}/transition", json={"to": to, "note": note},
                           headers=headers)

    # The PI cannot see a draft yet: for them it does not exist.
    assert move(carol, "accepted").status_code == 404  # type: ignore[attr-defined]
    assert move(amy, "submitted", "ready").status_code == 200  # type: ignore[attr-defined]
    refused = move(amy, "accepted")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "instrument_pi" in str(_problem(refused)["detail"])
    assert move(carol, "accepted", "good science").status_code == 200  # type: ignore[attr-defined]
    illegal = move(carol, "scheduled")
    assert illegal.status_code == 409  # type: ignore[attr-defined]
    assert "allowed next states are planned, cancelled, done" in str(_problem(illegal)["detail"])
    assert client.patch(f"/api/plans/{pid}", json={"ha_max": 3.0},
                        headers=amy).status_code == 409
    assert move(carol, "planned").status_code == 200  # type: ignore[attr-defined]
    scheduled = move(carol, "scheduled")
    assert scheduled.json()["execution_status"] == "Scheduled"  # type: ignore[attr-defined]
    events = client.get(f"/api/plans/{pid}/events", headers=amy).json()["events"]
    assert [(e["actor"], e["from_status"], e["to_status"]) for e in events] == [
        ("amy", None, "draft"), ("amy", "draft", "submitted"),
        ("carol", "submitted", "accepted"), ("carol", "accepted", "planned"),
        ("carol", "planned", "scheduled")]
    assert events[2]["note"] == "good science"
    # TAP shows the ObsLocTAP status to the team.
    sync = client.get("/tap/sync", headers=amy, params={
        "LANG": "ADQL", "QUERY": f"SELECT execution_status, workflow_status FROM ivoa.obsplan "
                                 f"WHERE plan_id = {pid}"})
    row = parse_single_table(io.BytesIO(sync.content)).to_table()[0]
    assert (str(row["execution_status"]), str(row["workflow_status"])) == ("Scheduled",
                                                                          "scheduled")


def test_proposal_moves_its_plans(workspace: Workspace) -> None:
    client = workspace.client
    amy = workspace.headers("amy")
    proposal = client.post("/api/proposals", json={"team": "alpha", "code": "114.C-0001",
                                                   "title": "Discs", "instrument": "GRAVITY"},
                           headers=amy).json()
    plan = client.post("/api/plans", json={**PLAN, "obs_id": "prop-1",
                                           "proposal_id": proposal["proposal_id"]},
                       headers=amy).json()
    moved = client.post(f"/api/proposals/{proposal['proposal_id']}/transition",
                        json={"to": "submitted"}, headers=amy)
    assert moved.status_code == 200 and moved.json()["plans"] == [plan["plan_id"]]
    assert client.get(f"/api/plans/{plan['plan_id']}", headers=amy
                      ).json()["workflow_status"] == "submitted"
    assert client.get(f"/api/proposals/{proposal['proposal_id']}",
                      headers=workspace.headers("bob")).status_code == 404
    # Beta's member cannot attach beta's plan to alpha's proposal.
    cross = client.post("/api/plans", json={**PLAN, "team": "beta", "obs_id": "x",
                                            "proposal_id": proposal["proposal_id"]},
                        headers=workspace.headers("bob"))
    assert cross.status_code == 404


def test_import_of_an_ob_export_is_idempotent(workspace: Workspace) -> None:
    client = workspace.client
    alice = workspace.headers("alice")
    data = (PLANS_DIR / "minimal.obxml").read_bytes()
    first = client.post("/api/plans/import", data={"team": "alpha"}, headers=alice,
                        files={"file": ("minimal.obxml", data, "application/xml")})
    assert first.status_code == 201, first.text
    assert len(first.json()["created"]) >= 1
    again = client.post("/api/plans/import", data={"team": "alpha"}, headers=alice,
                        files={"file": ("minimal.obxml", data, "application/xml")}).json()
    assert again["created"] == [] and again["unchanged"] == first.json()["created"]
    broken = client.post("/api/plans/import", data={"team": "alpha"}, headers=alice,
                         files={"file": ("broken.obxml", (PLANS_DIR / "broken.obxml")
                                         .read_bytes(), "application/xml")})
    assert broken.status_code == 422 and "broken.obxml" in str(_problem(broken)["detail"])
    # Nobody else sees the imported plans.
    listed = client.get("/api/plans", headers=workspace.headers("bob")).json()["plans"]
    assert not {p["obs_id"] for p in listed} & set(first.json()["created"])


def _database_env(workspace: Workspace, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if workspace.backend == "sqlite":
        monkeypatch.setenv("OBSPORTAL_DATABASE_URL", str(workspace.engine.url))
    else:
        monkeypatch.setenv("OBSPORTAL_DATABASE_URL",
                           workspace.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OBSPORTAL_DATA_DIR", str(tmp))
    get_settings.cache_clear()


def test_harvest_marks_executed_plans_performed(workspace: Workspace, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client = workspace.client
    amy, carol = workspace.headers("amy"), workspace.headers("carol")
    # OB 1 of the fixture log: HD 100001 at (15.37, -59), GRAVITY MEDIUM-COMBINED on
    # A0-G1-J2-K0, started at MJD 60000.03.
    plan = client.post("/api/plans", headers=amy, json={
        **PLAN, "obs_id": "exec-1", "period": None, "t_min": 59999.5, "t_max": 60000.5,
        "s_ra": 15.3701, "s_dec": -59.0001}).json()
    other = client.post("/api/plans", headers=amy, json={
        **PLAN, "obs_id": "exec-2", "period": None, "t_min": 59999.5, "t_max": 60000.5,
        "instrument_mode": "HIGH-COMBINED"}).json()
    for pid in (plan["plan_id"], other["plan_id"]):
        client.post(f"/api/plans/{pid}/transition", json={"to": "submitted"}, headers=amy)
        client.post(f"/api/plans/{pid}/transition", json={"to": "accepted"}, headers=carol)
    _database_env(workspace, tmp_path, monkeypatch)
    path = write_csv(tmp_path / "tonight.csv", list(make_rows(2, prefix="LATER")))
    result = CliRunner().invoke(cli, ["harvest", "obscore-table", str(path)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"plan {plan['plan_id']} -> OB execution" in result.output
    done = client.get(f"/api/plans/{plan['plan_id']}", headers=amy).json()
    assert done["workflow_status"] == "done" and done["execution_status"] == "Performed"
    [link] = done["executions"]
    assert link["rule"] == "position+instrument+mode+stations+window"
    assert link["score"] > 0.9 and link["separation"] < 1.0
    events = client.get(f"/api/plans/{plan['plan_id']}/events", headers=amy).json()["events"]
    assert events[-1]["actor"] == "system" and events[-1]["to_status"] == "done"
    # The plan asking for another mode was not executed.
    assert client.get(f"/api/plans/{other['plan_id']}", headers=amy
                      ).json()["workflow_status"] == "accepted"
    # A second harvest finds nothing new to mark.
    _database_env(workspace, tmp_path, monkeypatch)
    again = CliRunner().invoke(cli, ["harvest", "obscore-table", str(path)])
    get_settings.cache_clear()
    assert "found executed" not in again.output


def test_cli_creates_identities_and_imports_plans(workspace: Workspace, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    _database_env(workspace, tmp_path, monkeypatch)
    steps = [["user", "add", "erin"], ["team", "add", "gamma"],
             ["team", "add-member", "gamma", "erin", "--role", "admin"],
             ["instrument-pi", "set", "pionier", "erin"]]
    for step in steps:
        result = runner.invoke(cli, step)
        assert result.exit_code == 0, (step, result.output)
    duplicate = runner.invoke(cli, ["team", "add", "gamma"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    created = runner.invoke(cli, ["token", "create", "erin", "--days", "1"])
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("obsp_")
    imported = runner.invoke(cli, ["harvest", "aspro", str(PLANS_DIR / "minimal.obxml"),
                                   "--team", "gamma", "--user", "erin"])
    assert imported.exit_code == 0, imported.output
    assert "plan(s) created" in imported.output
    no_team = runner.invoke(cli, ["harvest", "aspro", str(PLANS_DIR / "minimal.obxml")])
    assert no_team.exit_code == 2 and "--team" in no_team.output
    get_settings.cache_clear()
    me = workspace.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["teams"] == [{"name": "gamma", "role": "admin"}]
    assert me["instrument_pi"] == ["PIONIER"]
    plans = workspace.client.get("/api/plans", params={"team": "gamma"},
                                 headers={"Authorization": f"Bearer {token}"}).json()["plans"]
    assert plans and all(p["created_by"] == "erin" for p in plans)
    assert not workspace.client.get("/api/plans", params={"team": "gamma"},
                                    headers=workspace.headers("alice")).json()["plans"]


def test_query_role_cannot_bypass_row_level_security(workspace: Workspace) -> None:
    if workspace.backend != "postgresql":
        pytest.skip("roles and row-level security are PostgreSQL features")
    with workspace.engine.connect() as conn:
        for name in ("obsportal_query", "obsportal_query_admin", "obsportal_editor"):
            role = conn.execute(sa.text(
                "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles "
                f"WHERE rolname = '{name}'")).one()
            assert tuple(role) == (False, False, False), name
            owned = conn.execute(sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                f"WHERE r.rolname = '{name}'")).scalar_one()
            assert owned == 0, name
        forced = conn.execute(sa.text(
            "SELECT relrowsecurity FROM pg_class WHERE oid = 'ivoa.obsplan'::regclass")
        ).scalar_one()
        assert forced is True
    with workspace.engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET LOCAL ROLE obsportal_query")
        assert conn.execute(sa.text("SELECT count(*) FROM ivoa.obsplan")).scalar_one() == 0
        # The member's rule is answered from the team and instrument indexes (no admin
        # arm, settings read once), not by evaluating it on every row.
        conn.exec_driver_sql("SELECT set_config('obsportal.teams', '1', true)")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(conn.execute(sa.text(
            "EXPLAIN SELECT count(*) FROM ivoa.obsplan")).scalars())
        assert "Bitmap Index Scan" in plan and "Seq Scan" not in plan, plan
        conn.exec_driver_sql("SET LOCAL enable_seqscan = on")
        # Even a caller who forges a site-admin setting cannot see the auth tables.
        for table in ("auth.api_token", "auth.user_account", "uws.job"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), \
                    conn.begin_nested():
                conn.execute(sa.text(f"SELECT count(*) FROM {table}"))


def test_unknown_paths_and_methods_are_problem_details(workspace: Workspace) -> None:
    missing = workspace.client.get("/api/plans/1/nothing")
    assert missing.status_code == 404 and "/api/plans/1/nothing" in str(
        _problem(missing)["detail"])
    wrong = workspace.client.put("/api/plans", json={})
    assert wrong.status_code == 405 and _problem(wrong)["title"] == "Method Not Allowed"
    not_int = workspace.client.get("/api/plans/abc")
    assert not_int.status_code == 422 and "plan_id" in str(_problem(not_int)["detail"])


def test_capabilities_offer_anonymous_and_basic_access(workspace: Workspace) -> None:
    from lxml import etree

    document = etree.fromstring(workspace.client.get("/tap/capabilities").content)
    methods = [m.get("standardID") for m in document.iter("securityMethod")]
    assert methods == [None, "ivo://ivoa.net/sso#BasicAA"]


def test_team_members_are_listed_to_members_and_admins_only(workspace: Workspace) -> None:
    client = workspace.client
    listed = client.get("/api/teams/alpha/members", headers=workspace.headers("amy"))
    assert listed.status_code == 200
    assert [(m["name"], m["role"]) for m in listed.json()["members"]] == [
        ("alice", "admin"), ("amy", "member")]
    assert client.get("/api/teams/alpha/members",
                      headers=workspace.headers("root")).status_code == 200
    for user in ("bob", "carol"):
        other = client.get("/api/teams/alpha/members", headers=workspace.headers(user))
        assert other.status_code == 404
        assert _problem(other)["detail"] == "no team 'alpha' among your teams"
    assert client.get("/api/teams/nowhere/members",
                      headers=workspace.headers("root")).status_code == 404
    assert client.get("/api/teams/alpha/members").status_code == 401
