"""Plans and proposals: create, read, change, move through the workflow, audit.

Every function takes the caller (:class:`Identity`, or ``None`` for the system:
CLI imports and execution matching) and works inside
:func:`caller_transaction`, so on PostgreSQL the database's row-level security
has the last word. What the caller may not see does not exist for them: the
same 404 answers "no such plan" and "not yours", so an identifier reveals
nothing. Every state change writes an audit event (who, when, from, to, note).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...harvesters.derive.configurations import period_span
from ...harvesters.derive.modes import mode_spectrum
from ...schema.access import PLAN_EVENT, PLAN_EXECUTION, PROPOSAL, TEAM
from ...schema.model import Table
from ...schema.obsplan import OBSPLAN
from ..access.identity import Identity
from ..access.tokens import utcnow
from .access import as_json, caller_transaction, mjd_now, table_of, visible
from .workflow import TransitionError, check_transition, execution_status

#: Plans may be edited while the team still owns the decision.
EDITABLE_STATES = ("draft", "submitted")
SYSTEM = "system"


class PlanError(Exception):
    """A refused request: HTTP status, short title and a sentence for the user."""

    def __init__(self, status: int, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or {403: "Forbidden", 404: "Not Found", 409: "Conflict",
                               422: "Unprocessable Content"}.get(status, "Error")


def _viewer(identity: Identity | None) -> Any:
    return None if identity is None else identity.viewer


def _actor(identity: Identity | None, actor: str | None = None) -> str:
    if actor:
        return actor
    return SYSTEM if identity is None or identity.name is None else identity.name


# -- teams ---------------------------------------------------------------------------
def writable_team(conn: sa.Connection, identity: Identity | None, team: str) -> int:
    """The id of ``team`` if the caller may create plans in it (404 otherwise)."""
    teams = table_of(conn, TEAM)
    found = conn.execute(sa.select(teams.c.team_id).where(teams.c.name == team)
                         ).scalar_one_or_none()
    allowed = found is not None and (identity is None or identity.site_admin
                                     or int(found) in identity.teams)
    if not allowed:
        raise PlanError(404, f"no team {team!r}" + ("" if identity is None else
                                                      " among your teams"))
    assert found is not None
    return int(found)


def team_names(conn: sa.Connection) -> dict[int, str]:
    teams = table_of(conn, TEAM)
    return {int(r.team_id): r.name for r in conn.execute(sa.select(teams.c.team_id,
                                                                   teams.c.name))}


# -- period windows ---------------------------------------------------------------------
def period_window(facility: str | None, period: str | None) -> tuple[float, float] | None:
    """MJD span of the ESO period or CHARA semester a plan asks for; None when unknown."""
    span = period_span(facility, period)
    if span is None:
        return None
    epoch = date(1858, 11, 17)
    return float((span[0] - epoch).days), float((span[1] - epoch).days)


# -- plans -----------------------------------------------------------------------------
#: Columns a client may set on a plan (REST and imports).
PLAN_FIELDS = ("obs_id", "target_name", "s_ra", "s_dec", "facility_name", "instrument_name",
               "instrument_mode", "configuration", "period", "calibrators", "sequence",
               "ha_min", "ha_max", "lst_min", "lst_max", "t_min", "t_max", "t_plan_exptime",
               "category", "priority", "tracking_type", "proposal_id", "em_min", "em_max",
               "em_res_power", "obs_collection", "source_file")

#: Columns returned to clients (REST): the published ones plus the workflow bookkeeping.
PLAN_OUTPUT = (*(c.name for c in OBSPLAN.published_columns),
               "team_id", "proposal_id", "submitted_at", "created_by", "updated")


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    """ObsLocTAP columns computed from the others (region, period window, defaults)."""
    out = dict(values)
    if out.get("instrument_name"):
        # Upper case, as instrument PIs are stored: the access rule compares them as is.
        out["instrument_name"] = out["instrument_name"].upper()
    ra, dec = out.get("s_ra"), out.get("s_dec")
    if ra is not None and dec is not None:
        out["s_region"] = f"CIRCLE ICRS {ra:.8f} {dec:.8f} 0.0002778"
        out.setdefault("s_fov", 0.0005556)  # interferometric field: a couple of arcseconds
    spectrum = mode_spectrum(out.get("instrument_name"), out.get("instrument_mode"))
    if spectrum is not None:
        out["em_min"], out["em_max"], out["em_res_power"] = spectrum
    window = period_window(out.get("facility_name"), out.get("period"))
    if window and out.get("t_min") is None and out.get("t_max") is None:
        out["t_min"], out["t_max"] = window
    if out.get("obs_collection") is None and out.get("instrument_name"):
        out["obs_collection"] = f"{out.get('facility_name') or ''}/{out['instrument_name']}"
    out.setdefault("tracking_type", "Sidereal")
    out.setdefault("priority", 1)
    if not out.get("category"):
        constrained = any(out.get(k) is not None for k in ("ha_min", "lst_min"))
        out["category"] = "Window" if constrained else "Other"
    return out


def _get_private(conn: sa.Connection, identity: Identity | None, table: Table, key: str,
                 value: int, what: str, for_update: bool) -> dict[str, Any]:
    """One private row the caller may see, else 404 (the same for "hidden" and "absent")."""
    stored = table_of(conn, table)
    query = sa.select(stored).where(stored.c[key] == value,
                                    *visible(conn, table, _viewer(identity)))
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise PlanError(404, f"no {what} {value}")
    return dict(row)


def _get_plan(conn: sa.Connection, identity: Identity | None, plan_id: int,
              for_update: bool = False) -> dict[str, Any]:
    return _get_private(conn, identity, OBSPLAN, "plan_id", plan_id, "plan", for_update)


def _event(conn: sa.Connection, *, team_id: int, actor: str, to_status: str,
           from_status: str | None = None, plan_id: int | None = None,
           proposal_id: int | None = None, note: str | None = None) -> None:
    conn.execute(sa.insert(table_of(conn, PLAN_EVENT)).values(
        team_id=team_id, plan_id=plan_id, proposal_id=proposal_id, actor=actor, at=utcnow(),
        from_status=from_status, to_status=to_status, note=note))


def _check_proposal(conn: sa.Connection, identity: Identity | None, team_id: int,
                    proposal_id: int | None) -> None:
    if proposal_id is None:
        return
    proposal = _get_proposal(conn, identity, proposal_id)
    if proposal["team_id"] != team_id:
        raise PlanError(422, f"proposal {proposal_id} belongs to another team")


def create_plan(engine: sa.Engine, identity: Identity | None, team: str,
                values: dict[str, Any], actor: str | None = None) -> dict[str, Any]:
    """A new draft plan of ``team``; 409 when the team already has this obs_id."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        team_id = writable_team(conn, identity, team)
        plan_id = _insert_plan(conn, identity, team_id, values, actor)
        return _plan_json(conn, identity, plan_id)


def _insert_plan(conn: sa.Connection, identity: Identity | None, team_id: int,
                 values: dict[str, Any], actor: str | None) -> int:
    plans = table_of(conn, OBSPLAN)
    clash = conn.execute(sa.select(plans.c.plan_id).where(
        plans.c.team_id == team_id, plans.c.obs_id == values["obs_id"])).first()
    if clash is not None:
        raise PlanError(409, f"the team already has a plan {values['obs_id']!r} "
                             f"(plan {clash.plan_id})")
    _check_proposal(conn, identity, team_id, values.get("proposal_id"))
    row = _derived({k: v for k, v in values.items() if k in PLAN_FIELDS})
    who = _actor(identity, actor)
    row.update(team_id=team_id, workflow_status="draft", execution_status="Planned",
               t_planning=mjd_now(), created_by=who, updated=utcnow())
    plan_id = int(conn.execute(sa.insert(plans).values(**row).returning(plans.c.plan_id)
                               ).scalar_one())
    _event(conn, team_id=team_id, actor=who, to_status="draft", plan_id=plan_id,
           note="created")
    return plan_id


def update_plan(engine: sa.Engine, identity: Identity | None, plan_id: int,
                values: dict[str, Any]) -> dict[str, Any]:
    """Change fields of a draft or submitted plan (team members only)."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        plan = _get_plan(conn, identity, plan_id, for_update=True)
        _require_team(identity, plan["team_id"], "change")
        if plan["workflow_status"] not in EDITABLE_STATES:
            raise PlanError(409, f"plan {plan_id} is {plan['workflow_status']}: only draft "
                                 "or submitted plans can be edited")
        if "obs_id" in values and values["obs_id"] != plan["obs_id"]:
            raise PlanError(422, "obs_id cannot change; create a new plan instead")
        _check_proposal(conn, identity, plan["team_id"], values.get("proposal_id"))
        merged = {k: plan[k] for k in PLAN_FIELDS if k in plan}
        merged.update({k: v for k, v in values.items() if k in PLAN_FIELDS})
        for key in ("s_region", "s_fov", "t_min", "t_max", "category", "obs_collection",
                    "em_min", "em_max", "em_res_power"):
            if key not in values:
                merged.pop(key, None)
        row = _derived(merged)
        row.update(t_planning=mjd_now(), updated=utcnow())
        plans = table_of(conn, OBSPLAN)
        conn.execute(sa.update(plans).where(plans.c.plan_id == plan_id).values(**row))
        return _plan_json(conn, identity, plan_id)


def _require_team(identity: Identity | None, team_id: int, what: str) -> None:
    if identity is None or identity.site_admin or team_id in identity.teams:
        return
    raise PlanError(403, f"only members of the plan's team may {what} it")


def transition_plan(engine: sa.Engine, identity: Identity | None, plan_id: int,
                    target: str, note: str | None = None, actor: str | None = None
                    ) -> dict[str, Any]:
    """Move a plan to ``target`` if the workflow and the caller's roles allow it."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        plan = _get_plan(conn, identity, plan_id, for_update=True)
        transition_row(conn, identity, plan, target, note, actor)
        return _plan_json(conn, identity, plan_id)


def _roles(identity: Identity | None, team_id: int, instrument: str | None) -> frozenset[str]:
    if identity is None:
        return frozenset({SYSTEM})
    return identity.roles_for(team_id, instrument)


def _workflow_changes(identity: Identity | None, row: dict[str, Any],
                      instrument: str | None, target: str, what: str) -> dict[str, Any]:
    """The columns a plan or a proposal changes when it moves to ``target``, once the
    workflow and the caller's roles allow the move (PlanError with the reason if not)."""
    try:
        check_transition(row["workflow_status"], target,
                         _roles(identity, row["team_id"], instrument))
    except TransitionError as exc:
        raise PlanError(exc.status, f"{what}: {exc.reason}") from exc
    now = utcnow()
    changes: dict[str, Any] = {"workflow_status": target, "updated": now}
    if target == "submitted" and row["submitted_at"] is None:
        changes["submitted_at"] = now
    return changes


def transition_row(conn: sa.Connection, identity: Identity | None,
                         plan: dict[str, Any], target: str, note: str | None,
                         actor: str | None) -> None:
    current = plan["workflow_status"]
    changes = _workflow_changes(identity, plan, plan["instrument_name"], target,
                                f"plan {plan['plan_id']}")
    changes.update(execution_status=execution_status(target), t_planning=mjd_now())
    plans = table_of(conn, OBSPLAN)
    conn.execute(sa.update(plans).where(plans.c.plan_id == plan["plan_id"]).values(**changes))
    _event(conn, team_id=plan["team_id"], actor=_actor(identity, actor), to_status=target,
           from_status=current, plan_id=plan["plan_id"], note=note)


def _plan_json(conn: sa.Connection, identity: Identity | None, plan_id: int
               ) -> dict[str, Any]:
    plan = _get_plan(conn, identity, plan_id)
    out = {k: plan[k] for k in PLAN_OUTPUT}
    out["team"] = team_names(conn).get(plan["team_id"])
    out["calibrators"] = [c for c in (plan["calibrators"] or "").split("|") if c]
    out["executions"] = plan_executions(conn, identity, plan_id)
    return as_json(out)


def get_plan(engine: sa.Engine, identity: Identity | None, plan_id: int) -> dict[str, Any]:
    with caller_transaction(engine, _viewer(identity)) as conn:
        return _plan_json(conn, identity, plan_id)


def list_plans(engine: sa.Engine, identity: Identity | None, *, team: str | None = None,
               status: str | None = None, instrument: str | None = None,
               proposal_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Plans the caller may see, newest first, optionally filtered."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        plans = table_of(conn, OBSPLAN)
        query = sa.select(*(plans.c[k] for k in PLAN_OUTPUT)).where(
            *visible(conn, OBSPLAN, _viewer(identity)))
        names = team_names(conn)
        if team is not None:
            ids = [i for i, n in names.items() if n == team]
            query = query.where(plans.c.team_id.in_(ids))
        if status:
            query = query.where(plans.c.workflow_status == status)
        if instrument:
            query = query.where(sa.func.upper(plans.c.instrument_name) == instrument.upper())
        if proposal_id is not None:
            query = query.where(plans.c.proposal_id == proposal_id)
        rows = conn.execute(query.order_by(plans.c.plan_id.desc()).limit(limit)).mappings()
        out = []
        for row in rows:
            item = as_json(row)
            item["team"] = names.get(row["team_id"])
            item["calibrators"] = [c for c in (row["calibrators"] or "").split("|") if c]
            out.append(item)
        return out


def plan_events(engine: sa.Engine, identity: Identity | None, plan_id: int
                ) -> list[dict[str, Any]]:
    """The audit trail of a plan the caller may see, oldest first."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        _get_plan(conn, identity, plan_id)
        events = table_of(conn, PLAN_EVENT)
        rows = conn.execute(sa.select(events).where(
            events.c.plan_id == plan_id, *visible(conn, PLAN_EVENT, _viewer(identity)))
            .order_by(events.c.event_id)).mappings()
        return [as_json(r) for r in rows]


def plan_executions(conn: sa.Connection, identity: Identity | None, plan_id: int
                    ) -> list[dict[str, Any]]:
    links = table_of(conn, PLAN_EXECUTION)
    rows = conn.execute(sa.select(links).where(
        links.c.plan_id == plan_id, *visible(conn, PLAN_EXECUTION, _viewer(identity)))
        .order_by(links.c.score.desc())).mappings()
    return [as_json(r) for r in rows]


# -- proposals -------------------------------------------------------------------------
PROPOSAL_FIELDS = ("code", "title", "period", "instrument")


def _proposal_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: values.get(k) for k in PROPOSAL_FIELDS}
    instrument = out.get("instrument")
    if isinstance(instrument, str):
        out["instrument"] = instrument.upper()
    return out


def _get_proposal(conn: sa.Connection, identity: Identity | None, proposal_id: int,
                  for_update: bool = False) -> dict[str, Any]:
    return _get_private(conn, identity, PROPOSAL, "proposal_id", proposal_id, "proposal",
                        for_update)


def _proposal_json(conn: sa.Connection, identity: Identity | None, proposal_id: int
                   ) -> dict[str, Any]:
    proposal = _get_proposal(conn, identity, proposal_id)
    out = as_json(proposal)
    out["team"] = team_names(conn).get(proposal["team_id"])
    plans = table_of(conn, OBSPLAN)
    out["plans"] = [int(i) for i in conn.execute(sa.select(plans.c.plan_id).where(
        plans.c.proposal_id == proposal_id, *visible(conn, OBSPLAN, _viewer(identity)))
        .order_by(plans.c.plan_id)).scalars()]
    return out


def create_proposal(engine: sa.Engine, identity: Identity | None, team: str,
                    values: dict[str, Any]) -> dict[str, Any]:
    with caller_transaction(engine, _viewer(identity)) as conn:
        team_id = writable_team(conn, identity, team)
        proposals = table_of(conn, PROPOSAL)
        clash = conn.execute(sa.select(proposals.c.proposal_id).where(
            proposals.c.team_id == team_id, proposals.c.code == values["code"])).first()
        if clash is not None:
            raise PlanError(409, f"the team already has a proposal {values['code']!r} "
                                 f"(proposal {clash.proposal_id})")
        now = utcnow()
        who = _actor(identity)
        proposal_id = int(conn.execute(sa.insert(proposals).values(
            team_id=team_id, workflow_status="draft", created=now, updated=now,
            created_by=who, **_proposal_values(values)
        ).returning(proposals.c.proposal_id)).scalar_one())
        _event(conn, team_id=team_id, actor=who, to_status="draft", proposal_id=proposal_id,
               note="created")
        return _proposal_json(conn, identity, proposal_id)


def update_proposal(engine: sa.Engine, identity: Identity | None, proposal_id: int,
                    values: dict[str, Any]) -> dict[str, Any]:
    with caller_transaction(engine, _viewer(identity)) as conn:
        proposal = _get_proposal(conn, identity, proposal_id, for_update=True)
        _require_team(identity, proposal["team_id"], "change")
        if proposal["workflow_status"] not in EDITABLE_STATES:
            raise PlanError(409, f"proposal {proposal_id} is {proposal['workflow_status']}: "
                                 "only draft or submitted proposals can be edited")
        changes = {k: v for k, v in _proposal_values(values).items()
                   if k in values and k != "code"}
        proposals = table_of(conn, PROPOSAL)
        conn.execute(sa.update(proposals).where(proposals.c.proposal_id == proposal_id)
                     .values(updated=utcnow(), **changes))
        return _proposal_json(conn, identity, proposal_id)


def transition_proposal(engine: sa.Engine, identity: Identity | None, proposal_id: int,
                        target: str, note: str | None = None) -> dict[str, Any]:
    """Move a proposal, and with it each of its plans that stood in the same state."""
    with caller_transaction(engine, _viewer(identity)) as conn:
        proposal = _get_proposal(conn, identity, proposal_id, for_update=True)
        current = proposal["workflow_status"]
        changes = _workflow_changes(identity, proposal, proposal["instrument"], target,
                                    f"proposal {proposal_id}")
        proposals = table_of(conn, PROPOSAL)
        conn.execute(sa.update(proposals).where(proposals.c.proposal_id == proposal_id)
                     .values(**changes))
        _event(conn, team_id=proposal["team_id"], actor=_actor(identity), to_status=target,
               from_status=current, proposal_id=proposal_id, note=note)
        plans = table_of(conn, OBSPLAN)
        followers = conn.execute(sa.select(plans).where(
            plans.c.proposal_id == proposal_id, plans.c.workflow_status == current,
            *visible(conn, OBSPLAN, _viewer(identity)))).mappings().all()
        for plan in followers:
            transition_row(conn, identity, dict(plan), target,
                                 f"with proposal {proposal['code']}" + (f": {note}" if note
                                                                         else ""), None)
        return _proposal_json(conn, identity, proposal_id)


def get_proposal(engine: sa.Engine, identity: Identity | None, proposal_id: int
                 ) -> dict[str, Any]:
    with caller_transaction(engine, _viewer(identity)) as conn:
        return _proposal_json(conn, identity, proposal_id)


def list_proposals(engine: sa.Engine, identity: Identity | None, *, team: str | None = None,
                   status: str | None = None) -> list[dict[str, Any]]:
    with caller_transaction(engine, _viewer(identity)) as conn:
        proposals = table_of(conn, PROPOSAL)
        query = sa.select(proposals).where(*visible(conn, PROPOSAL, _viewer(identity)))
        names = team_names(conn)
        if team is not None:
            query = query.where(proposals.c.team_id.in_(
                [i for i, n in names.items() if n == team]))
        if status:
            query = query.where(proposals.c.workflow_status == status)
        out = []
        for row in conn.execute(query.order_by(proposals.c.proposal_id)).mappings():
            item = as_json(row)
            item["team"] = names.get(row["team_id"])
            out.append(item)
        return out


# -- imports ---------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What an import of a planning file did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "issues": self.issues}


def import_plans(engine: sa.Engine, identity: Identity | None, team: str,
                 planned: list[Any], source_name: str, proposal_id: int | None = None,
                 actor: str | None = None) -> ImportReport:
    """Upsert planned OBs (:class:`harvesters.aspro_plans.PlannedOB`) as draft plans.

    A plan is identified by ``<file stem>/<OB name>`` within the team, so importing
    the same file again changes nothing, and an edited file updates the plans
    that are still drafts; plans already submitted or later are left alone (and
    reported as skipped).
    """
    report = ImportReport()
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    with caller_transaction(engine, _viewer(identity)) as conn:
        team_id = writable_team(conn, identity, team)
        _check_proposal(conn, identity, team_id, proposal_id)
        plans = table_of(conn, OBSPLAN)
        for ob in planned:
            obs_id = f"{stem}/{ob.name}"
            report.issues += [f"{obs_id}: {issue}" for issue in ob.issues]
            values = _values_of(ob, obs_id, source_name, proposal_id)
            existing = conn.execute(sa.select(plans).where(
                plans.c.team_id == team_id, plans.c.obs_id == obs_id)).mappings().first()
            if existing is None:
                _insert_plan(conn, identity, team_id, values, actor)
                report.created.append(obs_id)
                continue
            row = _derived(values)
            if all(existing[k] == v for k, v in row.items() if k in existing):
                report.unchanged.append(obs_id)
            elif existing["workflow_status"] != "draft":
                report.skipped.append(f"{obs_id}: plan {existing['plan_id']} is "
                                      f"{existing['workflow_status']}, not re-imported")
            else:
                row.update(t_planning=mjd_now(), updated=utcnow())
                conn.execute(sa.update(plans).where(plans.c.plan_id == existing["plan_id"])
                             .values(**row))
                report.updated.append(obs_id)
    return report


def _values_of(ob: Any, obs_id: str, source_name: str, proposal_id: int | None
               ) -> dict[str, Any]:
    intervals = list(ob.lst_intervals)
    return {
        "obs_id": obs_id, "target_name": ob.target_name, "s_ra": ob.ra_deg,
        "s_dec": ob.dec_deg, "facility_name": ob.interferometer,
        "instrument_name": ob.instrument, "instrument_mode": ob.instrument_mode,
        "configuration": "-".join(ob.stations) or None, "period": ob.period,
        "calibrators": "|".join(c.name for c in ob.calibrators) or None,
        "sequence": "-".join(ob.sequence) or None, "ha_min": ob.ha_min, "ha_max": ob.ha_max,
        "lst_min": intervals[0][0] if intervals else None,
        "lst_max": intervals[-1][1] if intervals else None,
        "t_plan_exptime": ob.exposure_time_s, "source_file": source_name,
        "proposal_id": proposal_id,
    }
