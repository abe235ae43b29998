"""A workspace with two teams' private plans on each backend, served over HTTP.

Users: alice (admin of alpha), amy (member of alpha), bob (member of beta),
carol (GRAVITY instrument PI, no team), root (site admin), dave (no team).
Every private value carries a ``SECRET-...`` marker, so a leak anywhere in a
response body is found by looking for the markers the caller may not see.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from obscore_rows import make_rows, write_csv

from obsportal.harvesters.runner import harvest_files
from obsportal.schema.access import PLAN_EXECUTION
from obsportal.schema.domain import OB_EXEC
from obsportal.service.access.directory import (
    add_member,
    add_team,
    add_user,
    set_instrument_pi,
)
from obsportal.service.access.tokens import create_token, utcnow
from obsportal.service.app import create_app
from obsportal.service.plans.access import table_of
from obsportal.service.plans.store import create_plan, transition_plan
from obsportal.service.settings import Settings
from obsportal.service.storage.engine import make_engine
from obsportal.service.storage.schema_setup import upgrade

#: marker → (team, instrument, workflow state)
PLANS = {
    "SECRET-ALPHA-DRAFT": ("alpha", "GRAVITY", "draft"),
    "SECRET-ALPHA-SUB": ("alpha", "GRAVITY", "submitted"),
    "SECRET-ALPHA-PIO": ("alpha", "PIONIER", "submitted"),
    "SECRET-BETA-DRAFT": ("beta", "MATISSE", "draft"),
    "SECRET-BETA-SUB": ("beta", "GRAVITY", "submitted"),
}
MODES = {"GRAVITY": "MEDIUM-COMBINED", "PIONIER": "GRISM-H", "MATISSE": "SI_PHOT_L_LOW"}
MARKERS = frozenset(PLANS)
#: What each caller may see (the rule of schema/access_rules.py, written out by hand).
VISIBLE = {
    None: frozenset(),
    "dave": frozenset(),
    "alice": frozenset({"SECRET-ALPHA-DRAFT", "SECRET-ALPHA-SUB", "SECRET-ALPHA-PIO"}),
    "amy": frozenset({"SECRET-ALPHA-DRAFT", "SECRET-ALPHA-SUB", "SECRET-ALPHA-PIO"}),
    "bob": frozenset({"SECRET-BETA-DRAFT", "SECRET-BETA-SUB"}),
    "carol": frozenset({"SECRET-ALPHA-SUB", "SECRET-BETA-SUB"}),
    "root": MARKERS,
}
#: Plans linked to an executed OB in the fixture.
LINKED = frozenset({"SECRET-ALPHA-SUB", "SECRET-BETA-SUB"})
CALLERS = tuple(VISIBLE)


@dataclass
class Workspace:
    backend: str
    engine: sa.Engine
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    plan_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, user: str | None, basic: bool = False) -> dict[str, str]:
        if user is None:
            return {}
        if basic:
            pair = base64.b64encode(f"{user}:{self.tokens[user]}".encode()).decode()
            return {"Authorization": f"Basic {pair}"}
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _populate(engine: sa.Engine, data: Path) -> Workspace:
    harvest_files(engine, [write_csv(data / "log.csv", list(make_rows(40)))])
    with engine.begin() as conn:
        for name in ("alice", "amy", "bob", "carol", "dave"):
            add_user(conn, name)
        add_user(conn, "root", site_admin=True)
        add_team(conn, "alpha")
        add_team(conn, "beta")
        add_member(conn, "alpha", "alice", "admin")
        add_member(conn, "alpha", "amy")
        add_member(conn, "beta", "bob")
        set_instrument_pi(conn, "GRAVITY", "carol")
        tokens = {name: create_token(conn, name)[1]
                  for name in ("alice", "amy", "bob", "carol", "dave", "root")}
    workspace_ids: dict[str, int] = {}
    from obsportal.service.access.identity import load_identity
    with engine.connect() as conn:
        members = {n: load_identity(conn, name=n) for n in ("alice", "bob")}
    for index, (marker, (team, instrument, state)) in enumerate(PLANS.items()):
        owner = members["alice" if team == "alpha" else "bob"]
        plan = create_plan(engine, owner, team, {
            "obs_id": f"{marker}/ob", "target_name": marker, "s_ra": 10.0 + index,
            "s_dec": -20.0 - index, "facility_name": "VLTI", "instrument_name": instrument,
            "instrument_mode": MODES[instrument], "configuration": "A0-B2-D0-C1",
            "period": "113", "calibrators": f"{marker}-CAL"})
        if state == "submitted":
            transition_plan(engine, owner, plan["plan_id"], "submitted", "for review")
        workspace_ids[marker] = plan["plan_id"]
    with engine.begin() as conn:
        ob_exec = table_of(conn, OB_EXEC)
        first_ob = conn.execute(sa.select(sa.func.min(ob_exec.c.ob_exec_id))).scalar_one()
        conn.execute(sa.insert(table_of(conn, PLAN_EXECUTION)), [
            {"plan_id": workspace_ids[m], "ob_exec_id": first_ob, "rule": "fixture",
             "score": 1.0, "explanation": f"{m} executed", "matched_at": utcnow()}
            for m in sorted(LINKED)])
    app = create_app(engine, Settings(data_dir=data, workers=1))
    client = TestClient(app)
    return Workspace(engine.dialect.name, engine, client, tokens, workspace_ids)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Workspace]:
    data = tmp_path_factory.mktemp(f"workspace-{request.param}")
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{data / 'obsportal.sqlite'}")
        upgrade(engine)
    else:
        make: Callable[[bool], sa.Engine] = request.getfixturevalue("make_pg_database")
        engine = make(True)
    workspace = _populate(engine, data)
    with workspace.client:
        yield workspace
