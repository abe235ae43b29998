"""ASPRO2 raw observations: ``o:observations`` documents and asprox ``targetObservations``.

The mapping is the one ASPRO2 applies to ``search.votable`` rows (obsId, type,
parentId, programId, interferometer, stations, instrument, target, MJD range, projected
baselines, ambient conditions), so a session can be filled offline:
``obsportal export asprox SESSION.asprox`` adds, for every target of the session, the
observations found within 30″ of it, in the element order ASPRO2's schema requires.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from lxml import etree

from ...harvesters.derive.angles import sexagesimal_degrees
from .search import SearchRequest, search

RAW_NS = "http://www.jmmc.fr/aspro-raw-obs/0.1"
SESSION_NS = "http://www.jmmc.fr/aspro-oi/0.1"
#: (element, search.votable column, required by ASPRO2's schema)
ELEMENTS: tuple[tuple[str, str, bool], ...] = (
    ("obsId", "exp_id", True), ("type", "obs_type", True), ("parentId", "obs_id", False),
    ("programId", "obs_program", False), ("interferometerName", "interferometer_name", True),
    ("interferometerVersion", "interferometer_version", False),
    ("stations", "interferometer_stations", True), ("pops", "interferometer_pops", False),
    ("channels", "interferometer_channels", False),
    ("instrumentName", "instrument_name", True), ("instrumentMode", "instrument_mode", True),
    ("instrumentSubMode", "instrument_submode", False),
    ("targetName", "target_name", True), ("targetRa", "target_ra", True),
    ("targetDec", "target_dec", True), ("mjdStart", "exp_mjd_start", True),
    ("mjdEnd", "exp_mjd_end", True), ("projectedBaselines", "exp_projected_baselines", True),
    ("expTau0", "exp_tau0", False), ("expTemp", "exp_temperature", False),
    ("expSeeing", "exp_seeing", False),
)
OBSERVATION_TYPES = {"science", "calibrator"}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return repr(value) if isinstance(value, float) else str(value)


def observation_element(row: Mapping[str, Any], tag: str = "observation"
                        ) -> etree._Element | None:
    """One ``observation`` element, or None when a required value is missing (skipped,
    as ASPRO2 skips rows without id or position)."""
    element = etree.Element(tag)
    for name, column, required in ELEMENTS:
        value = _text(row.get(column))
        if name == "type" and value not in OBSERVATION_TYPES:
            value = None
        if name == "projectedBaselines" and value is None:
            value = "{}"
        if name == "stations" and value is None:
            value = ""
        if value is None:
            if required:
                return None
            continue
        etree.SubElement(element, name).text = value
    return element


def observations_document(rows: Iterable[Mapping[str, Any]]) -> bytes:
    root = etree.Element(f"{{{RAW_NS}}}observations", nsmap={"o": RAW_NS})
    for row in rows:
        element = observation_element(row)
        if element is not None:
            root.append(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_asprox(engine: sa.Engine, session: Path, radius_arcsec: float = 30.0) -> bytes:
    """The session with ``targetObservations`` filled for each of its targets."""
    tree = etree.parse(str(session))
    root = tree.getroot()
    targets = root.findall("target")
    for old in root.findall("targetObservations"):
        root.remove(old)
    anchor = root.find("targetUserInfos")
    if anchor is None:
        anchor = root.find("selectedTargets")
    if anchor is None:
        anchor = targets[-1] if targets else None
    position = list(root).index(anchor) + 1 if anchor is not None else len(root)
    for target in targets:
        ra_text, dec_text = target.findtext("RA"), target.findtext("DEC")
        if not ra_text or not dec_text:
            continue
        rows = search(engine, SearchRequest(sexagesimal_degrees(ra_text, True),
                                            sexagesimal_degrees(dec_text, False),
                                            radius_arcsec))
        observations = [e for e in (observation_element(r) for r in rows) if e is not None]
        if not observations:
            continue
        block = etree.Element("targetObservations")
        etree.SubElement(block, "targetRef").text = target.get("id")
        block.extend(observations)
        root.insert(position, block)
        position += 1
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
