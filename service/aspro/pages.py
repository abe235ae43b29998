"""Exposure and OB execution pages (``/detail/exposure/{id}``, ``/detail/ob/{id}``).

Plain HTML, linked from ``search.votable`` rows as the JMMC service does: the header
values as recorded, what was derived from them, the validation log, and links to the
OB execution, the night, the programme and the target (as TAP queries).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...schema.domain import EXPOSURE, EXPOSURE_BASELINE, OB_EXEC, PROGRAM, TARGET
from ...schema.sql import catalog_metadata, sa_table

router = APIRouter(prefix="/detail")


def _tables(engine: sa.Engine) -> dict[str, sa.Table]:
    dialect = engine.dialect.name
    metadata = catalog_metadata(dialect)
    return {name: sa_table(metadata, table, dialect) for name, table in (
        ("e", EXPOSURE), ("o", OB_EXEC), ("p", PROGRAM), ("t", TARGET),
        ("b", EXPOSURE_BASELINE))}


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
            "text-align:left}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}<p><a href='/'>ObsPortal</a></p></body></html>")


def _rows(pairs: list[tuple[str, Any]]) -> str:
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{'' if v is None else escape(str(v))}"
                    "</td></tr>" for k, v in pairs)
    return f"<table>{cells}</table>"


def _tap_link(request: Request, label: str, adql: str) -> str:
    url = f"{request.base_url}tap/sync?LANG=ADQL&FORMAT=votable/td&QUERY={quote(adql)}"
    return f"<a href='{escape(url)}'>{escape(label)}</a>"


@router.get("/exposure/{exposure_id}", response_class=HTMLResponse)
def exposure_page(request: Request, exposure_id: int) -> HTMLResponse:
    engine: sa.Engine = request.app.state.engine
    t = _tables(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(t["e"]).where(t["e"].c.exposure_id == exposure_id)
                           ).mappings().first()
        if row is None:
            return HTMLResponse(_page("No such exposure", "<p>Unknown exposure id.</p>"),
                                status_code=404)
        ob = conn.execute(sa.select(t["o"]).where(t["o"].c.ob_exec_id == row["ob_exec_id"])
                          ).mappings().first() if row["ob_exec_id"] else None
        baselines = conn.execute(sa.select(t["b"]).where(t["b"].c.exposure_id == exposure_id)
                                 .order_by(t["b"].c.station1, t["b"].c.station2)).all()
    recorded = [("DP.ID", row["dp_id"]), ("OBJECT", row["object"]), ("RA (deg)", row["ra"]),
                ("DEC (deg)", row["dec"]), ("MJD start", row["mjd_start"]),
                ("MJD end", row["mjd_end"]), ("exposure time (s)", row["exptime"]),
                ("tau0 (s)", row["tau0"]), ("seeing (arcsec)", row["seeing"]),
                ("temperature (°C)", row["temperature"])]
    derived = [("target", row["target_name"]), ("LST start (h)", row["lst_start"]),
               ("LST end (h)", row["lst_end"]), ("release date", row["release_date"]),
               ("source", row["source"]), ("last update", row["last_update"])]
    if ob is not None:
        derived += [("instrument", ob["instrument_name"]), ("ASPRO2 mode", ob["instrument_mode"]),
                    ("sub-mode", ob["instrument_submode"]), ("stations", ob["stations"]),
                    ("configuration", ob["configuration"]),
                    ("configuration match", ob["configuration_match"]),
                    ("night", ob["night"]), ("role", ob["role"])]
    base_table = "".join(
        f"<tr><td>{escape(b.station1)}-{escape(b.station2)}</td><td>{b.pbl_start}</td>"
        f"<td>{b.pbl_end}</td><td>{b.pbla_start}</td><td>{b.pbla_end}</td>"
        f"<td>{'' if b.u_start is None else f'{b.u_start:.3f}'}</td>"
        f"<td>{'' if b.v_start is None else f'{b.v_start:.3f}'}</td></tr>" for b in baselines)
    links = [_tap_link(request, "this exposure in ivoa.obscore",
                       f"SELECT * FROM ivoa.obscore WHERE obs_id = '{_q(row['dp_id'])}'")]
    if ob is not None:
        links.append(f"<a href='/detail/ob/{ob['ob_exec_id']}'>OB execution</a>")
        if ob["night"]:
            links.append(_tap_link(request, f"night {ob['night']}",
                                   "SELECT * FROM ivoa.obscore WHERE night = "
                                   f"'{_q(ob['night'])}' ORDER BY t_min"))
    body = (f"<h2>Header values</h2>{_rows(recorded)}<h2>Derived</h2>{_rows(derived)}"
            f"<h2>Validation</h2><p>level {row['validation_level']}: "
            f"{escape(row['validation_log'] or 'no problem found')}</p>"
            "<h2>Projected baselines</h2><table><tr><th>pair</th><th>PBL start (m)</th>"
            "<th>PBL end</th><th>PA start (deg)</th><th>PA end</th><th>u start (m)</th>"
            f"<th>v start (m)</th></tr>{base_table}</table>"
            f"<h2>Links</h2><ul>{''.join(f'<li>{x}</li>' for x in links)}</ul>")
    return HTMLResponse(_page(f"Exposure {row['dp_id']}", body))


def _q(value: Any) -> str:
    return str(value).replace("'", "''")


@router.get("/ob/{ob_exec_id}", response_class=HTMLResponse)
def ob_page(request: Request, ob_exec_id: int) -> HTMLResponse:
    engine: sa.Engine = request.app.state.engine
    t = _tables(engine)
    with engine.connect() as conn:
        ob = conn.execute(sa.select(t["o"]).where(t["o"].c.ob_exec_id == ob_exec_id)
                          ).mappings().first()
        if ob is None:
            return HTMLResponse(_page("No such OB execution", "<p>Unknown id.</p>"),
                                status_code=404)
        program = conn.execute(sa.select(t["p"]).where(t["p"].c.program_id == ob["program_id"])
                               ).mappings().first() if ob["program_id"] else None
        target = conn.execute(sa.select(t["t"]).where(t["t"].c.target_id == ob["target_id"])
                              ).mappings().first() if ob["target_id"] else None
        exposures = conn.execute(sa.select(t["e"].c.exposure_id, t["e"].c.dp_id,
                                           t["e"].c.mjd_start)
                                 .where(t["e"].c.ob_exec_id == ob_exec_id)
                                 .order_by(t["e"].c.mjd_start)).all()
    facts = [(k, ob[k]) for k in ("ob_id", "ob_name", "instrument_name", "instrument_mode",
                                  "stations", "configuration", "configuration_category",
                                  "night", "role", "mjd_start", "mjd_end", "lst_start",
                                  "lst_end")]
    if program is not None:
        facts += [("programme", program["code"]), ("title", program["title"]),
                  ("PI", program["pi_name"])]
    if target is not None:
        facts += [("target", target["name"]), ("target RA", target["ra"]),
                  ("target DEC", target["dec"])]
    items = "".join(f"<li><a href='/detail/exposure/{e.exposure_id}'>{escape(e.dp_id)}</a></li>"
                    for e in exposures)
    links = []
    if program is not None:
        links.append(_tap_link(request, f"programme {program['code']}",
                               "SELECT * FROM ivoa.obscore WHERE proposal_id = "
                               f"'{_q(program['code'])}' ORDER BY t_min"))
    if target is not None:
        links.append(_tap_link(request, f"target {target['name']}",
                               "SELECT * FROM ivoa.obscore WHERE target_name = "
                               f"'{_q(target['name'])}' ORDER BY t_min"))
    body = (f"{_rows(facts)}<h2>Exposures</h2><ul>{items}</ul>"
            f"<h2>Links</h2><ul>{''.join(f'<li>{x}</li>' for x in links)}</ul>")
    return HTMLResponse(_page(f"OB execution {ob['ob_id'] or ob_exec_id}", body))
