"""The JMMC ObsPortal ``search.votable`` contract, as ASPRO2 reads it (Edit → Get Observations).

ASPRO2 POSTs ``ra``, ``dec`` (deg) and ``radius`` (arcsec) and maps the VOTable columns
*by name* into its raw-observation model; the columns, types, units and UCDs below are
those of the JMMC service's documents. One row per exposure matching either by its
header pointing or by its resolved target (header coordinates can be off by more than
ASPRO2's 30″), with the distance of the closer of the two.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ...harvesters.derive.angles import separation_arcsec
from ...harvesters.derive.stations import eso_station_name
from ...schema.domain import EXPOSURE, EXPOSURE_BASELINE, OB_EXEC, PROGRAM, TARGET
from ...schema.sql import catalog_metadata, sa_table
from ...votable.encoders import xml_attr, xml_text

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
ASPRO_INSTRUMENTS = {"MATISSE": "MATISSE_LM", "PIONIER": "PIONIER_2", "MIRC-X": "MIRCX-MYSTIC",
                     "MYSTIC": "MIRCX-MYSTIC"}
INTERFEROMETERS = {"ESO-VLTI": "VLTI", "CHARA": "CHARA"}


@dataclass(frozen=True)
class Field:
    name: str
    datatype: str
    ucd: str | None = None
    unit: str | None = None


FIELDS: tuple[Field, ...] = (
    Field("exp_id", "unicodeChar", "meta.id"),
    Field("exp_header_id", "unicodeChar", "meta.id"),
    Field("exp_mjd_start", "double", "time.start;obs.exposure", "d"),
    Field("exp_mjd_end", "double", "time.end;obs.exposure", "d"),
    Field("exp_projected_baselines", "unicodeChar", "instr.baseline"),
    Field("exp_validation_level", "int", "meta.code.qual"),
    Field("exp_validation_log", "unicodeChar"),
    Field("exp_tau0", "double", "time.processing", "s"),
    Field("exp_temperature", "double", "phys.temperature", "deg"),
    Field("exp_seeing", "double", "instr.obsty.seeing", "as"),
    Field("exp_date_updated", "unicodeChar", "time.processing"),
    Field("exp_date_release", "unicodeChar", "time.release;obs"),
    Field("obs_id", "int", "meta.id"),
    Field("obs_type", "unicodeChar", "meta.id;class"),
    Field("obs_program", "unicodeChar", "meta.id"),
    Field("obs_program_title", "unicodeChar", "meta.title"),
    Field("obs_program_pi_coi", "unicodeChar", "meta.curation;obs.observer"),
    Field("interferometer_name", "unicodeChar", "meta.id"),
    Field("interferometer_version", "unicodeChar", "meta.version"),
    Field("interferometer_stations", "unicodeChar"),
    Field("interferometer_pops", "unicodeChar"),
    Field("interferometer_channels", "unicodeChar"),
    Field("instrument_name", "unicodeChar", "meta.id;instr"),
    Field("instrument_mode", "unicodeChar", "meta.id;instr.setup"),
    Field("instrument_submode", "unicodeChar", "meta.id;instr.setup"),
    Field("instrument_em_min", "double", "em.wl;stat.min", "m"),
    Field("instrument_em_max", "double", "em.wl;stat.max", "m"),
    Field("instrument_em_res_power", "double", "spect.resolution"),
    Field("target_id", "int", "meta.id"),
    Field("target_name", "unicodeChar", "meta.id;meta.main"),
    Field("target_ra", "double", "pos.eq.ra;meta.main", "deg"),
    Field("target_dec", "double", "pos.eq.dec;meta.main", "deg"),
    Field("distance", "double", "pos.angDistance", "arcsec"),
)


@dataclass
class SearchRequest:
    ra: float | None
    dec: float | None
    radius_arcsec: float = 30.0
    instrument: str | None = None
    instrument_mode: str | None = None
    interferometer: str | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None


def _baseline_text(rows: Sequence[Any]) -> str | None:
    """The Python-dict text ASPRO2 parses: {'U1-U2': {'length': {...}, 'angle': {...}}}."""
    if not rows:
        return None
    parts = []
    for b in rows:
        def num(value: float | None) -> str:
            return "" if value is None else f"{value:.4f}"
        key = f"{eso_station_name(b.station1)}-{eso_station_name(b.station2)}"
        length = (b.pbl_start, b.pbl_end)
        if length[0] is None and b.u_start is not None:
            length = (math.hypot(b.u_start, b.v_start), math.hypot(b.u_end, b.v_end))
        angle = (b.pbla_start, b.pbla_end)
        if angle[0] is None and b.u_start is not None:
            angle = (math.degrees(math.atan2(b.u_start, b.v_start)) % 360,
                     math.degrees(math.atan2(b.u_end, b.v_end)) % 360)
        parts.append(f"'{key}': {{'length': {{'start': '{num(length[0])}', 'end': "
                     f"'{num(length[1])}'}}, 'angle': {{'start': '{num(angle[0])}', 'end': "
                     f"'{num(angle[1])}'}}}}")
    return "{" + ", ".join(parts) + "}"


def search(engine: sa.Engine, request: SearchRequest) -> list[dict[str, Any]]:
    """Exposures within the radius of (ra, dec), by header pointing or by resolved target."""
    dialect = engine.dialect.name
    metadata = catalog_metadata(dialect)
    e, o = sa_table(metadata, EXPOSURE, dialect), sa_table(metadata, OB_EXEC, dialect)
    p, t = sa_table(metadata, PROGRAM, dialect), sa_table(metadata, TARGET, dialect)
    b = sa_table(metadata, EXPOSURE_BASELINE, dialect)
    radius_deg = request.radius_arcsec / 3600.0
    centre_ra, centre_dec = request.ra or 0.0, request.dec or 0.0
    # Coarse box on both positions (indexed columns), exact distance in Python.
    dra = radius_deg / max(0.01, math.cos(math.radians(min(89.9, abs(centre_dec)))))
    in_dec = lambda col: col.between(centre_dec - radius_deg, centre_dec + radius_deg)  # noqa: E731

    def in_ra(col: Any) -> Any:
        if dra >= 180:
            return sa.true()
        low, high = centre_ra - dra, centre_ra + dra
        if low < 0:
            return sa.or_(col >= low + 360, col <= high)
        if high > 360:
            return sa.or_(col >= low, col <= high - 360)
        return col.between(low, high)

    query = (sa.select(e, o.c.ob_id, o.c.role, o.c.instrument_name, o.c.instrument_mode,
                       o.c.instrument_submode, o.c.stations, o.c.period, o.c.facility_name,
                       o.c.night, o.c.configuration,
                       p.c.code, p.c.title, p.c.pi_name, p.c.coi_names,
                       t.c.target_id.label("t_id"), t.c.name.label("t_name"),
                       t.c.ra.label("t_ra"), t.c.dec.label("t_dec"))
             .select_from(e.outerjoin(o, e.c.ob_exec_id == o.c.ob_exec_id)
                          .outerjoin(p, o.c.program_id == p.c.program_id)
                          .outerjoin(t, o.c.target_id == t.c.target_id))
             )
    if request.ra is not None and request.dec is not None:
        query = query.where(sa.or_(sa.and_(in_dec(e.c.dec), in_ra(e.c.ra)),
                                   sa.and_(in_dec(t.c.dec), in_ra(t.c.ra))))
    if request.instrument:
        query = query.where(sa.func.upper(o.c.instrument_name) == request.instrument.upper())
    if request.instrument_mode:
        query = query.where(o.c.instrument_mode == request.instrument_mode)
    if request.interferometer:
        wanted = request.interferometer.upper()
        query = query.where(sa.or_(o.c.facility_name == wanted,
                                   o.c.facility_name == f"ESO-{wanted}"))
    if request.updated_from:
        query = query.where(e.c.last_update >= request.updated_from)
    if request.updated_to:
        query = query.where(e.c.last_update <= request.updated_to)
    query = query.order_by(e.c.mjd_start)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = [r.exposure_id for r in rows]
        baselines: dict[int, list[Any]] = {}
        for start in range(0, len(ids), 900):
            for bl in conn.execute(sa.select(b).where(b.c.exposure_id.in_(ids[start:start + 900]))
                                   .order_by(b.c.station1, b.c.station2)):
                baselines.setdefault(bl.exposure_id, []).append(bl)
    found = []
    for r in rows:
        distance = None
        if request.ra is not None and request.dec is not None:
            distances = [separation_arcsec(request.ra, request.dec, ra, dec)
                         for ra, dec in ((r.ra, r.dec), (r.t_ra, r.t_dec))
                         if ra is not None and dec is not None]
            distance = min(distances) if distances else None
            if distance is None or distance > request.radius_arcsec:
                continue
        found.append(_row(r, baselines.get(r.exposure_id, []), distance))
    return found


def _row(r: Any, baselines: list[Any], distance: float | None) -> dict[str, Any]:
    facility = r.facility_name or ""
    interferometer = INTERFEROMETERS.get(facility, facility or None)
    # Header spelling of unit telescopes (U1), as ASPRO2's samples use.
    stations = " ".join(eso_station_name(s) for s in (r.stations or "").split())
    version = f"Period {r.period}" if interferometer == "VLTI" and r.period else None
    return {
        "exp_id": str(r.exposure_id), "exp_header_id": r.dp_id,
        "exp_mjd_start": r.mjd_start, "exp_mjd_end": r.mjd_end,
        "exp_projected_baselines": _baseline_text(baselines),
        "exp_validation_level": r.validation_level, "exp_validation_log": r.validation_log,
        "exp_tau0": r.tau0, "exp_temperature": r.temperature, "exp_seeing": r.seeing,
        "exp_date_updated": _stamp(r.last_update), "exp_date_release": _stamp(r.release_date),
        "obs_id": r.ob_id, "obs_type": {"SCI": "science", "CAL": "calibrator"}.get(r.role or ""),
        "obs_program": r.code, "obs_program_title": r.title,
        "obs_program_pi_coi": ", ".join(x for x in (r.pi_name, r.coi_names) if x) or None,
        "interferometer_name": interferometer, "interferometer_version": version,
        "interferometer_stations": stations or None, "interferometer_pops": None,
        "interferometer_channels": None,
        "instrument_name": ASPRO_INSTRUMENTS.get(r.instrument_name or "", r.instrument_name),
        "instrument_mode": r.instrument_mode, "instrument_submode": r.instrument_submode,
        "instrument_em_min": r.em_min, "instrument_em_max": r.em_max,
        "instrument_em_res_power": r.em_res_power,
        "target_id": r.t_id, "target_name": r.t_name or r.target_name,
        "target_ra": r.t_ra if r.t_ra is not None else r.ra,
        "target_dec": r.t_dec if r.t_dec is not None else r.dec,
        "distance": None if distance is None else round(distance, 3),
        # Not part of the search.votable columns; used by target-list matching.
        "_lst_start": r.lst_start, "_lst_end": r.lst_end, "_night": r.night,
        "_configuration": r.configuration, "_facility": facility,
    }


def _stamp(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC).isoformat(sep=" ", timespec="seconds")


def _cell(field: Field, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<TD/>"
    if field.datatype == "double":
        return f"<TD>{float(value)!r}</TD>"
    if field.datatype == "int":
        return f"<TD>{int(value)}</TD>"
    return f"<TD>{xml_text(str(value))}</TD>"


def render(rows: list[dict[str, Any]], last_mod: datetime | None) -> Iterator[bytes]:
    """The TABLEDATA VOTable 1.4 document (correct namespace, unlike the historic samples)."""
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<VOTABLE version="1.4" xmlns="{VOTABLE_NS}">\n<RESOURCE type="results">\n',
            '<TABLE name="exposures">\n',
            '<PARAM name="status" datatype="unicodeChar" arraysize="*" value="OK"/>\n',
            f'<PARAM name="last_mod_date" datatype="unicodeChar" arraysize="*" '
            f'value="{xml_attr(_stamp(last_mod) or "")}"/>\n']
    for f in FIELDS:
        attrs = f'name="{f.name}" datatype="{f.datatype}"'
        if f.datatype == "unicodeChar":
            attrs += ' arraysize="*"'
        if f.ucd:
            attrs += f' ucd="{f.ucd}"'
        if f.unit:
            attrs += f' unit="{f.unit}"'
        head.append(f"<FIELD {attrs}/>\n")
    head.append("<DATA><TABLEDATA>\n")
    yield "".join(head).encode("utf-8")
    for start in range(0, len(rows), 500):
        chunk = "".join("<TR>" + "".join(_cell(f, row[f.name]) for f in FIELDS) + "</TR>\n"
                        for row in rows[start:start + 500])
        yield chunk.encode("utf-8")
    yield b"</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n"
