"""CHARA primary headers (MIRC-X / MYSTIC pipelines) → what an exposure row needs.

CHARA does not write ESO's hierarchy; its combiners use their own vocabulary (seen in the
real MIRC-X header ``shared/external/data/fits-headers/mircx02330_oifits_viscal``):

* ``INSTRUME`` names the combiner (``MIRCX``, ``MYSTIC``); the project's log and the facts
  (``harvesters/data/instrument_modes.csv``, ``chara_log.py``) spell it ``MIRC-X`` / ``MYSTIC``.
* ``BEAMORDn`` (n = 0..5) is the CHARA telescope feeding combiner beam n, coded by the
  ``TEL_KEY`` / comment ``S1=0,S2=1,E1=2,E2=3,W1=4,W2=5``; ``N_TELS`` the telescopes used;
  ``HIERARCH CHARA <T>_BEAM`` the CHARA beam of telescope T (same order, used as fallback).
* ``PROGRAM`` and ``PI_NAME`` the programme; ``OBJTYPE`` ``TARGET``/``CALIB``/``CHECK``.
* ``MJD-OBS`` the start; ``LST-OBS`` / ``UTC-OBS`` / ``RA`` / ``DEC`` sexagesimal strings.
* ``U_Ti-Tj`` / ``V_Ti-Tj`` the u,v (m) at the header time, for the vector from Tj to Ti
  (``mircx_pipeline``: position of Ti minus position of Tj). The project stores u,v of
  ``station2 - station1`` (``derive/uv.py``), so the pair Ti-Tj is stored with u,v negated.
* ``CONF_NA`` the spectrograph set-up, ``<band>_<PRISM|GRISM><R>`` (``H_PRISM50``); with
  ``FILTER1`` (``H_band``) it gives the ASPRO2 mode: see :func:`aspro_mode`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from astropy.io import fits

from .derive.angles import sexagesimal_degrees
from .eso_headers import aspro2_modes

#: Header INSTRUME → the instrument name of the log and the facts.
INSTRUMENTS = {"MIRCX": "MIRC-X", "MIRC-X": "MIRC-X", "MYSTIC": "MYSTIC", "MIRC": "MIRC",
               "CLIMB": "CLIMB", "CLASSIC": "CLASSIC", "PAVO": "PAVO", "VEGA": "VEGA",
               "SPICA": "SPICA", "JOUFLU": "JOUFLU", "FRIEND": "FRIEND"}
#: Instrument → ASPRO2 focal instrument (CHARA.xml): MIRC-X and MYSTIC share one.
ASPRO_INSTRUMENT = {"MIRC-X": "MIRCX-MYSTIC", "MYSTIC": "MIRCX-MYSTIC"}
#: Telescope code of BEAMORDn when neither TEL_KEY nor the card comment says otherwise
#: (the MIRC-X convention of mircx_pipeline).
DEFAULT_TEL_KEY = ("S1", "S2", "E1", "E2", "W1", "W2")
#: ASPRO2 MIRCX-MYSTIC modes by (instrument, band) and nominal resolving power, as CHARA.xml
#: gives them (Low_H / Low_J: R = 50 in the comment of their spectral table). Note ASPRO2's
#: own spelling: ``Medium_H`` but ``Med_J`` / ``Med_K``.
MODES = {("MIRC-X", "H"): ((50, "Low_H"), (190, "Medium_H"), (1035, "High_H")),
         ("MIRC-X", "J"): ((50, "Low_J"), (190, "Med_J"), (1035, "High_J")),
         ("MYSTIC", "K"): ((52, "Low_K"), (300, "Med_K"), (900, "High_K"))}
#: A set-up's R must be this close (relative) to ASPRO2's nominal R to take its name:
#: MIRC-X's R = 22 and R = 102 prisms have no ASPRO2 mode and must not become Low/Medium.
RESOLUTION_TOLERANCE = 0.10
ROLES = {"TARGET": "science", "SCIENCE": "science", "SCI": "science", "OBJECT": "science",
         "CALIB": "calibrator", "CALIBRATOR": "calibrator", "CAL": "calibrator"}


@dataclass
class CharaHeader:
    """What a CHARA primary header says about its exposure (None when it is silent)."""

    instrument: str | None
    stations: list[str]
    program: str | None
    pi_name: str | None
    target: str | None
    ra: float | None
    dec: float | None
    mjd: float | None
    lst_hours: float | None
    role: str | None
    mode: str | None
    #: (station1, station2) → (u, v) in metres, u,v of station2 - station1.
    uv: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)


def is_chara_header(header: fits.Header) -> bool:
    """True for a primary header written at CHARA (TELESCOP or CHARA hierarchy cards)."""
    if str(header.get("TELESCOP", "")).strip().upper().startswith("CHARA"):
        return True
    return any(str(key).startswith("CHARA ") for key in header)


def _text(header: fits.Header, key: str) -> str | None:
    value = header.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _float(header: fits.Header, key: str) -> float | None:
    value = header.get(key)
    try:
        number = float(value) if value is not None and str(value).strip() else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def instrument_name(value: str | None) -> str | None:
    """MIRCX → MIRC-X (the log's spelling); other CHARA names upper-cased as they are."""
    if not value:
        return None
    key = value.strip().upper()
    return INSTRUMENTS.get(key, key) or None


def _tel_key(header: fits.Header) -> tuple[str, ...]:
    """Telescope per BEAMORD code: TEL_KEY, else the BEAMORD0 comment, else MIRC-X's."""
    for text in (_text(header, "TEL_KEY"),
                 str(header.comments["BEAMORD0"]) if "BEAMORD0" in header else None):
        if not text:
            continue
        pairs = re.findall(r"([A-Z]\d)\s*=\s*(\d)", text.upper())
        if len(pairs) >= 2:
            ordered = sorted(pairs, key=lambda p: int(p[1]))
            if [int(code) for _, code in ordered] == list(range(len(ordered))):
                return tuple(name for name, _ in ordered)
    return DEFAULT_TEL_KEY


def stations(header: fits.Header) -> list[str]:
    """Telescopes in combiner beam order (BEAMORDn), else in CHARA beam order (<T>_BEAM)."""
    codes = _tel_key(header)
    ordered: list[str] = []
    n = 0
    while f"BEAMORD{n}" in header:
        try:
            code = int(header[f"BEAMORD{n}"])
        except (TypeError, ValueError):
            break
        if 0 <= code < len(codes) and codes[code] not in ordered:
            ordered.append(codes[code])
        n += 1
    if not ordered:
        beams = []
        for key in header:
            match = re.fullmatch(r"CHARA ([A-Z]\d)_BEAM", str(key))
            if match and _float(header, f"HIERARCH {key}") is not None:
                beams.append((_float(header, f"HIERARCH {key}") or 0.0, match.group(1)))
        ordered = [name for _, name in sorted(beams)]
    # N_TELS < 6 does not say which beams were idle: the caller keeps the stations that
    # have data in the OI tables.
    return ordered


def role(header: fits.Header) -> str | None:
    """science / calibrator from OBJTYPE; None when it says nothing (or CHECK)."""
    value = (_text(header, "OBJTYPE") or "").upper()
    return ROLES.get(value)


def aspro_mode(instrument: str | None, header: fits.Header) -> tuple[str | None, str | None]:
    """(ASPRO2 mode, issue) of a MIRC-X / MYSTIC header; the mode is None with an issue when
    the keys are missing or the combination is not one ASPRO2 knows (never a near guess).

    Combiner from INSTRUME, band from the CONF_NA prefix (checked against FILTER1 when it
    names a band), resolving power from the CONF_NA suffix, compared with ASPRO2's nominal R
    within :data:`RESOLUTION_TOLERANCE`.
    """
    if instrument not in ("MIRC-X", "MYSTIC"):
        return None, f"no header mapping to an ASPRO2 mode for {instrument or 'unknown'}"
    conf = (_text(header, "CONF_NA") or _text(header, "INSMODE") or "").upper()
    match = re.fullmatch(r"([JHK])_(PRISM|GRISM)(\d+)", conf)
    if not match:
        return None, f"{instrument} CONF_NA={conf or '?'}: band/resolution not readable"
    band, resolution = match.group(1), int(match.group(3))
    filter_band = re.match(r"([JHK])(?:_|$|\b)", (_text(header, "FILTER1") or "").upper())
    if filter_band and filter_band.group(1) != band:
        return None, (f"{instrument} CONF_NA={conf} and FILTER1="
                      f"{_text(header, 'FILTER1')} disagree on the band")
    for nominal, name in MODES.get((instrument, band), ()):
        if abs(resolution - nominal) <= RESOLUTION_TOLERANCE * nominal \
                and ("MIRCX-MYSTIC", name) in aspro2_modes():
            return name, None
    return None, (f"{instrument} CONF_NA={conf} (band {band}, R={resolution}) has no ASPRO2 "
                  "mode")


def _uv(header: fits.Header, names: list[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """Header u,v per station pair (beam order), as u,v of station2 - station1."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            u, v = _float(header, f"U_{first}-{second}"), _float(header, f"V_{first}-{second}")
            if u is not None and v is not None:
                out[(first, second)] = (-u, -v)  # header: first minus second
                continue
            u, v = _float(header, f"U_{second}-{first}"), _float(header, f"V_{second}-{first}")
            if u is not None and v is not None:
                out[(first, second)] = (u, v)
    return out


def read_chara_header(header: fits.Header) -> CharaHeader:
    """The exposure facts of a CHARA primary header; gaps are listed in ``issues``."""
    issues: list[str] = []
    instrument = instrument_name(_text(header, "INSTRUME"))
    names = stations(header)
    if len(names) < 2:
        issues.append("BEAMORDn / CHARA <T>_BEAM missing: stations from the OI tables")
    mjd = _float(header, "MJD-OBS")
    lst: float | None = None
    lst_text = _text(header, "LST-OBS")
    if lst_text:
        try:
            lst = sexagesimal_degrees(lst_text, hours=True) / 15.0 % 24.0
        except ValueError:
            issues.append(f"LST-OBS {lst_text!r} unreadable")
    ra = dec = None
    try:
        ra_text, dec_text = _text(header, "RA"), _text(header, "DEC")
        if ra_text and dec_text:
            ra = sexagesimal_degrees(ra_text, hours=":" in ra_text)
            dec = sexagesimal_degrees(dec_text, hours=False)
    except ValueError:
        issues.append("RA/DEC unreadable")
    mode, issue = aspro_mode(instrument, header)
    if issue:
        issues.append(issue)
    return CharaHeader(
        instrument=instrument, stations=names, program=_text(header, "PROGRAM"),
        pi_name=_text(header, "PI_NAME"), target=_text(header, "OBJECT"), ra=ra, dec=dec,
        mjd=mjd, lst_hours=lst, role=role(header), mode=mode, uv=_uv(header, names),
        issues=issues)

