"""The JMMC ObsPortal (or another ObsPortal): ``search.votable`` documents → exposures.

The service answers ``search.votable`` with one row per exposure and the projected
baselines as Python-dict text. Incremental harvests ask for ``date_updated_from`` /
``date_updated_to`` windows of at most a year (with an explicit UTC time zone), and keep
the largest ``exp_date_updated`` seen as the checkpoint in ``harvest_state``.
"""

from __future__ import annotations

import ast
import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from astropy.io.votable import parse

from .derive.apparent import apparent_radec
from .derive.lst import hour_angle, lst_hours
from .derive.night import local_night
from .derive.stations import load_sites, normalise_station, station_position
from .derive.uv import project
from .eso_headers import Baseline

log = logging.getLogger("obsportal.harvest.obsportal")

WINDOW = timedelta(days=365)
FACILITIES = {"VLTI": "ESO-VLTI", "CHARA": "CHARA"}
INSTRUMENTS = {"MATISSE_LM": "MATISSE", "MATISSE_N": "MATISSE", "PIONIER_2": "PIONIER",
               "MIRCX-MYSTIC": "MIRC-X"}


class ObsPortalSourceError(RuntimeError):
    """The remote service did not answer with a search.votable document."""


def _value(row: Any, name: str) -> Any:
    if name not in row.colnames:
        return None
    value = row[name]
    if value is None or getattr(value, "mask", False) is True:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def parse_baselines(text: str | None) -> dict[tuple[str, str], dict[str, float | None]]:
    """``{'U1-U2': {'length': {'start': '55.9', 'end': '55.8'}, 'angle': {...}}}``."""
    if not text:
        return {}
    try:
        data = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return {}
    result = {}
    for key, values in data.items():
        first, _, second = str(key).partition("-")

        def number(part: str, edge: str, values: dict[str, Any] = values) -> float | None:
            try:
                return float(values[part][edge])
            except (KeyError, TypeError, ValueError):
                return None
        result[(normalise_station(first), normalise_station(second))] = {
            "pbl_start": number("length", "start"), "pbl_end": number("length", "end"),
            "pbla_start": number("angle", "start"), "pbla_end": number("angle", "end")}
    return result


def _baselines(row: dict[str, Any], facility: str | None) -> list[Baseline]:
    recorded = parse_baselines(row.get("exp_projected_baselines"))
    interferometer = "VLTI" if facility == "ESO-VLTI" else facility
    out = []
    for (first, second), values in recorded.items():
        baseline = Baseline(first, second, **values)
        if interferometer in load_sites() and None not in (row.get("target_ra"),
                                                      row.get("target_dec"),
                                                      row.get("exp_mjd_start")):
            site = load_sites()[interferometer]
            try:
                a = station_position(interferometer, first)
                b = station_position(interferometer, second)
            except KeyError:
                out.append(baseline)
                continue
            ra, dec = apparent_radec(row["target_ra"], row["target_dec"],
                                     row["exp_mjd_start"])
            for when, mjd in (("start", row["exp_mjd_start"]),
                              ("end", row.get("exp_mjd_end") or row["exp_mjd_start"])):
                ha = hour_angle(lst_hours(float(mjd), site.longitude), ra)
                p = project(a, b, site.latitude, ha, dec)
                setattr(baseline, f"u_{when}", p.u)
                setattr(baseline, f"v_{when}", p.v)
        out.append(baseline)
    return out


def rows_from_votable(data: bytes) -> Iterator[dict[str, Any]]:
    """ObsCore-form rows (with baselines) of a search.votable document."""
    import warnings

    from astropy.io.votable.exceptions import VOWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VOWarning)
            votable = parse(io.BytesIO(data), verify="ignore")
        table = votable.get_first_table().to_table()
    except Exception as exc:  # astropy raises many types on bad XML
        raise ObsPortalSourceError(f"not a search.votable document: {exc}") from None
    for record in table:
        row = {name: _value(record, name) for name in table.colnames}
        header_id = row.get("exp_header_id") or row.get("exp_header") or row.get("exp_id")
        if not header_id:
            continue
        facility = FACILITIES.get(str(row.get("interferometer_name") or "").upper(),
                                  row.get("interferometer_name"))
        instrument = row.get("instrument_name")
        instrument = INSTRUMENTS.get(str(instrument), instrument)
        stations = " ".join(normalise_station(s) for s in
                            str(row.get("interferometer_stations") or "").split()) or None
        mjd = row.get("exp_mjd_start")
        interferometer = "VLTI" if facility == "ESO-VLTI" else facility
        night = local_night(float(mjd), load_sites()[interferometer].timezone).isoformat() \
            if mjd is not None and interferometer in load_sites() else None
        obs_id = row.get("obs_id")
        try:
            ob_id = int(obs_id) if obs_id is not None else None
        except (TypeError, ValueError):
            ob_id = None
        level = row.get("exp_validation_level")
        yield {
            "obs_id": str(header_id), "obs_collection": "JMMC-ObsPortal", "calib_level": 0,
            "dataproduct_type": "visibility", "target_name": row.get("target_name"),
            "s_ra": row.get("target_ra"), "s_dec": row.get("target_dec"),
            "t_min": mjd, "t_max": row.get("exp_mjd_end"),
            "em_min": row.get("instrument_em_min"), "em_max": row.get("instrument_em_max"),
            "em_res_power": row.get("instrument_em_res_power"),
            "facility_name": facility, "instrument_name": instrument,
            "proposal_id": row.get("obs_program"), "obs_title": row.get("obs_program_title"),
            "obs_creator_name": row.get("obs_program_pi_coi"),
            "obs_type": row.get("obs_type"), "instrument_mode": row.get("instrument_mode"),
            "instrument_submode": row.get("instrument_submode"),
            "interferometer_stations": stations, "ob_id": ob_id, "night": night,
            "exp_tau0": row.get("exp_tau0"), "exp_seeing": row.get("exp_seeing"),
            "_temperature": row.get("exp_temperature"),
            "_validation_level": int(level) if level is not None else None,
            "_validation_log": row.get("exp_validation_log"),
            "_updated": row.get("exp_date_updated"),
            "_baselines": _baselines(row, facility),
        }


def windows(since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Consecutive windows of at most :data:`WINDOW` covering [since, until)."""
    start = since
    while start < until:
        end = min(start + WINDOW, until)
        yield start, end
        start = end


def fetch_window(base_url: str, start: datetime, end: datetime,
                 client: httpx.Client) -> bytes:
    params = {"date_updated_from": start.astimezone(UTC).isoformat(),
              "date_updated_to": end.astimezone(UTC).isoformat()}
    response = client.post(f"{base_url.rstrip('/')}/search.votable", data=params)
    if response.status_code != 200:
        raise ObsPortalSourceError(f"{base_url}: HTTP {response.status_code} for window "
                                   f"{start.isoformat()} – {end.isoformat()}")
    return response.content


def parse_updated(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
