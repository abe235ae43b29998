"""After a harvest: find which planned OBs have been executed, and say why.

Plans that were accepted, planned or scheduled are compared with the OB
executions in the log (science role, same instrument, executed inside the
plan's window; then target, mode and array by :func:`matching.best_match`).
A match is stored in ``obsportal.plan_execution`` with its rule, score and
explanation, and the plan moves to ``done`` (ObsLocTAP ``Performed``) as the
``system`` actor, with an audit event. Runs as the service itself, not as a
caller: it must see every team's plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ...schema.access import PLAN_EXECUTION
from ...schema.domain import OB_EXEC, TARGET
from ...schema.obsplan import OBSPLAN
from ..access.tokens import utcnow
from .access import table_of
from .matching import ExecutionFacts, PlanFacts, best_match, station_set
from .store import transition_row

#: Plans still waiting for their execution.
OPEN_STATES = ("accepted", "planned", "scheduled")


@dataclass
class MatchReport:
    """Plans examined and the ones found executed (``plan_id → ob_exec_id``)."""

    examined: int = 0
    matched: dict[int, int] = field(default_factory=dict)


def _plan_facts(plan: sa.RowMapping) -> PlanFacts:
    stations = station_set((plan["configuration"] or "").replace("-", " ").split())
    return PlanFacts(plan_id=int(plan["plan_id"]), ra_deg=plan["s_ra"], dec_deg=plan["s_dec"],
                     target_name=plan["target_name"], instrument=plan["instrument_name"],
                     instrument_mode=plan["instrument_mode"], stations=stations,
                     configuration=plan["configuration"], window_start_mjd=plan["t_min"],
                     window_end_mjd=plan["t_max"])


def match_executions(engine: sa.Engine) -> MatchReport:
    """Match every open plan against the log; idempotent (a matched plan is done)."""
    report = MatchReport()
    with engine.begin() as conn:
        plans_t, obs_t = table_of(conn, OBSPLAN), table_of(conn, OB_EXEC)
        targets_t, links_t = table_of(conn, TARGET), table_of(conn, PLAN_EXECUTION)
        plans = conn.execute(sa.select(plans_t).where(
            plans_t.c.workflow_status.in_(OPEN_STATES))).mappings().all()
        for plan in plans:
            report.examined += 1
            if not plan["instrument_name"]:
                continue
            query = (sa.select(obs_t.c.ob_exec_id, obs_t.c.instrument_name,
                               obs_t.c.instrument_mode, obs_t.c.stations,
                               obs_t.c.configuration, obs_t.c.mjd_start, obs_t.c.role,
                               targets_t.c.ra, targets_t.c.dec, targets_t.c.name)
                     .outerjoin(targets_t, targets_t.c.target_id == obs_t.c.target_id)
                     .where(sa.func.upper(obs_t.c.instrument_name)
                            == plan["instrument_name"].upper(),
                            obs_t.c.mjd_start.is_not(None)))
            if plan["t_min"] is not None:
                query = query.where(obs_t.c.mjd_start >= plan["t_min"])
            if plan["t_max"] is not None:
                query = query.where(obs_t.c.mjd_start <= plan["t_max"])
            candidates = [ExecutionFacts(
                ob_exec_id=int(r.ob_exec_id), ra_deg=r.ra, dec_deg=r.dec, target_name=r.name,
                instrument=r.instrument_name, instrument_mode=r.instrument_mode,
                stations=station_set((r.stations or "").split()),
                configuration=r.configuration, mjd_start=float(r.mjd_start), role=r.role)
                for r in conn.execute(query)]
            match = best_match(_plan_facts(plan), candidates)
            if match is None:
                continue
            conn.execute(sa.insert(links_t).values(
                plan_id=match.plan_id, ob_exec_id=match.ob_exec_id, rule=match.rule,
                score=match.score, separation=match.separation_arcsec,
                explanation="; ".join(match.reasons), matched_at=utcnow()))
            transition_row(conn, None, dict(plan), "done",
                                 f"executed as OB execution {match.ob_exec_id} "
                                 f"({match.rule}, score {match.score:.2f})", "system")
            report.matched[match.plan_id] = match.ob_exec_id
    return report
