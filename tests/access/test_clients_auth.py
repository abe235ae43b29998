"""Real clients with a token: pyvo over HTTP Basic (the token as password), sync and async.

A TOPCAT or pyvo user authenticates the way VO clients do; the service must then show
exactly that user's plans, and nothing to the same client without credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pyvo
import requests
from conftest import VISIBLE, Workspace
from tap.conftest import LiveService, start_service, stop_service

from obsportal.service.access.tokens import create_token, revoke_token


@pytest.fixture(scope="module")
def live_workspace(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[Workspace, LiveService]]:
    service, server = start_service(workspace.engine, Path(tmp_path_factory.mktemp("live")))
    yield workspace, service
    stop_service(service, server)


def _session(workspace: Workspace, user: str | None) -> requests.Session:
    session = requests.Session()
    if user is not None:
        session.auth = (user, workspace.tokens[user])
    return session


def _names(table: object) -> set[str]:
    names = {str(v) for v in table["target_name"]}  # type: ignore[index]
    return {n for n in names if n.startswith("SECRET-")}


@pytest.mark.parametrize("user", ["alice", "bob", "carol", None])
def test_pyvo_sync_and_async_with_basic_auth(live_workspace: tuple[Workspace, LiveService],
                                             user: str | None) -> None:
    workspace, live = live_workspace
    service = pyvo.dal.TAPService(live.url, session=_session(workspace, user))
    query = "SELECT target_name FROM ivoa.obsplan"
    assert _names(service.run_sync(query).to_table()) == VISIBLE[user]
    assert _names(service.run_async(query).to_table()) == VISIBLE[user]


def test_pyvo_with_a_revoked_token_is_refused(live_workspace: tuple[Workspace, LiveService]
                                              ) -> None:
    workspace, live = live_workspace
    with workspace.engine.begin() as conn:
        token_id, token = create_token(conn, "amy", label="pyvo")
    session = requests.Session()
    session.auth = ("amy", token)
    service = pyvo.dal.TAPService(live.url, session=session)
    assert _names(service.run_sync("SELECT target_name FROM ivoa.obsplan").to_table()) \
        == VISIBLE["amy"]
    with workspace.engine.begin() as conn:
        revoke_token(conn, token_id)
    with pytest.raises((pyvo.dal.DALServiceError, pyvo.dal.DALQueryError),
                       match="revoked"):
        service.run_sync("SELECT target_name FROM ivoa.obsplan")
