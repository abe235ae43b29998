"""REST API of the team workspace under ``/api`` (OpenAPI at ``/api/docs``).

JSON in and out; every refusal is ``application/problem+json`` (RFC 9457) with a
sentence saying why. Reading needs no token (anonymous callers simply see no
private rows); creating and changing need one. Handlers translate HTTP to
:mod:`service.plans.store` and back, in a worker thread.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from ...harvesters.aspro_plans import PlanFileError, modes_of, read_plan_file
from ...schema.obsplan import CATEGORIES, TRACKING_TYPES
from ..access.directory import team_members
from ..access.http import caller
from ..access.identity import Identity
from .store import (
    PlanError,
    create_plan,
    create_proposal,
    get_plan,
    get_proposal,
    import_plans,
    list_plans,
    list_proposals,
    plan_events,
    team_names,
    transition_plan,
    transition_proposal,
    update_plan,
    update_proposal,
)
from .workflow import WORKFLOW_STATES

router = APIRouter(prefix="/api", tags=["team workspace"])
#: Largest planning file accepted by the import endpoint.
MAX_IMPORT_BYTES = 5_000_000


def _signed_in(request: Request) -> Identity:
    identity = caller(request)
    if identity.anonymous:
        raise PlanError(401, "sign in: send 'Authorization: Bearer TOKEN' (obsportal token "
                             "create USER)", "Unauthorized")
    return identity


def _optional(request: Request) -> Identity:
    return caller(request)


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(function, *args, **kwargs)


# -- models ----------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanFields(_Strict):
    """Fields of a planned observation (ObsLocTAP columns plus interferometry)."""

    target_name: str | None = Field(None, min_length=1, max_length=200)
    s_ra: float | None = Field(None, ge=0, lt=360, description="ICRS RA (deg).")
    s_dec: float | None = Field(None, ge=-90, le=90, description="ICRS Dec (deg).")
    facility_name: Literal["VLTI", "CHARA"] | None = None
    instrument_name: str | None = Field(None, min_length=1, max_length=40)
    instrument_mode: str | None = Field(None, min_length=1, max_length=60,
                                        description="ASPRO2 mode name of the instrument.")
    configuration: str | None = Field(None, pattern=r"^[A-Z0-9]+(-[A-Z0-9]+)*$",
                                      max_length=80, description="Stations, e.g. A0-B2-D0-C1.")
    period: str | None = Field(None, pattern=r"^(\d{2,3}|\d{4}[AB])$",
                               description="ESO period (113) or CHARA semester (2024B).")
    calibrators: list[str] | None = Field(None, max_length=20)
    sequence: str | None = Field(None, pattern=r"^(SCI|CAL)(-(SCI|CAL))*$")
    ha_min: float | None = Field(None, ge=-12, le=12, description="Hour angle (h).")
    ha_max: float | None = Field(None, ge=-12, le=12)
    lst_min: float | None = Field(None, ge=0, lt=24, description="LST (h).")
    lst_max: float | None = Field(None, ge=0, lt=24)
    t_min: float | None = Field(None, ge=0, description="Window start (MJD).")
    t_max: float | None = Field(None, ge=0, description="Window end (MJD).")
    t_plan_exptime: float | None = Field(None, ge=0, description="Planned time (s).")
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    priority: int | None = Field(None, ge=0, le=2)
    tracking_type: Literal[TRACKING_TYPES] | None = None  # type: ignore[valid-type]
    proposal_id: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> PlanFields:
        if None not in (self.ha_min, self.ha_max) and self.ha_min > self.ha_max:  # type: ignore[operator]
            raise ValueError("ha_min must not exceed ha_max")
        if None not in (self.t_min, self.t_max) and self.t_min > self.t_max:  # type: ignore[operator]
            raise ValueError("t_min must not exceed t_max")
        if (self.s_ra is None) != (self.s_dec is None):
            raise ValueError("give both s_ra and s_dec, or neither")
        if self.instrument_name and self.instrument_mode:
            modes = modes_of(self.instrument_name)
            if not modes:
                raise ValueError(f"instrument {self.instrument_name} is not known to ASPRO2")
            if self.instrument_mode not in modes:
                raise ValueError(f"instrument mode {self.instrument_mode} is not an ASPRO2 "
                                 f"mode of {self.instrument_name} (known: "
                                 f"{', '.join(sorted(modes))})")
        return self

    def values(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True)
        if "calibrators" in data:
            data["calibrators"] = "|".join(data["calibrators"] or []) or None
        if data.get("instrument_name"):
            data["instrument_name"] = data["instrument_name"].upper()
        return data


class PlanCreate(PlanFields):
    team: str = Field(min_length=1, description="Owning team (one of yours).")
    obs_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\s]",
                        description="Plan identifier, unique within the team.")
    target_name: str = Field(min_length=1, max_length=200)
    facility_name: Literal["VLTI", "CHARA"]
    instrument_name: str = Field(min_length=1, max_length=40)


class Transition(_Strict):
    to: Literal[WORKFLOW_STATES]  # type: ignore[valid-type]
    note: str | None = Field(None, max_length=2000)


class ProposalCreate(_Strict):
    team: str = Field(min_length=1)
    code: str = Field(min_length=1, max_length=80)
    title: str | None = Field(None, max_length=500)
    period: str | None = Field(None, pattern=r"^(\d{2,3}|\d{4}[AB])$")
    instrument: str | None = Field(None, max_length=40)


class ProposalUpdate(_Strict):
    title: str | None = Field(None, max_length=500)
    period: str | None = Field(None, pattern=r"^(\d{2,3}|\d{4}[AB])$")
    instrument: str | None = Field(None, max_length=40)


# -- identity and teams ------------------------------------------------------------------
@router.get("/me", summary="Who the token belongs to, with teams and roles")
async def me(request: Request) -> dict[str, Any]:
    identity = caller(request)
    return {"user": identity.name, "anonymous": identity.anonymous,
            "site_admin": identity.site_admin,
            "teams": [{"name": identity.team_names.get(t), "role": r}
                      for t, r in sorted(identity.teams.items())],
            "instrument_pi": sorted(identity.pi_instruments)}


@router.get("/teams/{team}/members", summary="Members of one of your teams")
async def members(request: Request, team: str) -> Any:
    identity = _signed_in(request)
    engine: sa.Engine = request.app.state.engine

    def read() -> list[dict[str, Any]] | None:
        with engine.connect() as conn:
            known = {name: tid for tid, name in team_names(conn).items()}
            team_id = known.get(team)
            if team_id is None or not (identity.site_admin or team_id in identity.teams):
                return None
            return [{**m, "created": m["created"].isoformat()}
                    for m in team_members(conn, team_id)]

    found = await _call(read)
    if found is None:
        raise PlanError(404, f"no team {team!r} among your teams")
    return {"team": team, "members": found}


# -- plans ------------------------------------------------------------------------------
@router.get("/plans", summary="Plans you may see (your teams'; as instrument PI: submitted "
                              "and later of your instrument)")
async def plans(request: Request, team: str | None = None, status: str | None = None,
                instrument: str | None = None, proposal: int | None = None,
                limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> Any:
    if status is not None and status not in WORKFLOW_STATES:
        raise PlanError(422, f"unknown status {status!r}: one of {', '.join(WORKFLOW_STATES)}")
    rows = await _call(list_plans, request.app.state.engine, _optional(request), team=team,
                       status=status, instrument=instrument, proposal_id=proposal,
                       limit=limit)
    return {"plans": rows}


@router.post("/plans", status_code=201, summary="Create a draft plan for one of your teams")
async def new_plan(request: Request, body: PlanCreate) -> Any:
    identity = _signed_in(request)
    values = body.values()
    team = values.pop("team")
    return await _call(create_plan, request.app.state.engine, identity, team, values)


@router.get("/plans/{plan_id}", summary="One plan with its matched executions")
async def one_plan(request: Request, plan_id: int) -> Any:
    return await _call(get_plan, request.app.state.engine, _optional(request), plan_id)


@router.patch("/plans/{plan_id}", summary="Change a draft or submitted plan")
async def change_plan(request: Request, plan_id: int, body: PlanFields) -> Any:
    identity = _signed_in(request)
    return await _call(update_plan, request.app.state.engine, identity, plan_id, body.values())


@router.post("/plans/{plan_id}/transition", summary="Move a plan through the workflow")
async def move_plan(request: Request, plan_id: int, body: Transition) -> Any:
    identity = _signed_in(request)
    return await _call(transition_plan, request.app.state.engine, identity, plan_id, body.to,
                       body.note)


@router.get("/plans/{plan_id}/events", summary="Audit trail of a plan")
async def events(request: Request, plan_id: int) -> Any:
    return {"events": await _call(plan_events, request.app.state.engine, _optional(request),
                                  plan_id)}


@router.post("/plans/import", status_code=201,
             summary="Import an ASPRO2 file (.obxml OB export or .asprox session) as drafts")
async def import_file(request: Request, team: Annotated[str, Form()],
                      file: Annotated[UploadFile, File()],
                      proposal: Annotated[int | None, Form()] = None) -> Any:
    identity = _signed_in(request)
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise PlanError(413, f"file larger than {MAX_IMPORT_BYTES} bytes", "Content Too Large")
    name = Path(file.filename or "upload.xml").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            planned = await _call(read_plan_file, path)
        except PlanFileError as exc:
            raise PlanError(422, str(exc).replace(str(path), name)) from exc
    report = await _call(import_plans, request.app.state.engine, identity, team, planned, name,
                         proposal)
    return report.as_json()


# -- proposals ---------------------------------------------------------------------------
@router.get("/proposals", summary="Proposals you may see")
async def proposals(request: Request, team: str | None = None,
                    status: str | None = None) -> Any:
    return {"proposals": await _call(list_proposals, request.app.state.engine,
                                     _optional(request), team=team, status=status)}


@router.post("/proposals", status_code=201, summary="Create a draft proposal")
async def new_proposal(request: Request, body: ProposalCreate) -> Any:
    identity = _signed_in(request)
    values = body.model_dump()
    team = values.pop("team")
    return await _call(create_proposal, request.app.state.engine, identity, team, values)


@router.get("/proposals/{proposal_id}", summary="One proposal with its plans")
async def one_proposal(request: Request, proposal_id: int) -> Any:
    return await _call(get_proposal, request.app.state.engine, _optional(request),
                       proposal_id)


@router.patch("/proposals/{proposal_id}", summary="Change a draft or submitted proposal")
async def change_proposal(request: Request, proposal_id: int, body: ProposalUpdate) -> Any:
    identity = _signed_in(request)
    return await _call(update_proposal, request.app.state.engine, identity, proposal_id,
                       body.model_dump(exclude_unset=True))


@router.post("/proposals/{proposal_id}/transition",
             summary="Move a proposal (and its plans in the same state) through the workflow")
async def move_proposal(request: Request, proposal_id: int, body: Transition) -> Any:
    identity = _signed_in(request)
    return await _call(transition_proposal, request.app.state.engine, identity, proposal_id,
                       body.to, body.note)
