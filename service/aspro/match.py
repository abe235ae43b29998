"""Target lists: what was observed of each target, grouped into OB blocks as ASPRO2 shows them.

Exposures of a target (found as by ``search.votable``) are grouped into blocks of one
setup — same instrument, mode, stations and OB — with no gap longer than 30 minutes, as
ASPRO2 groups raw observations. Each block carries its time and LST range, configuration,
role, and the calibrator OB executions of the same night and setup within two hours.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ...schema.domain import OB_EXEC, TARGET
from ...schema.sql import catalog_metadata, sa_table
from ...votable import UploadError, parse_upload
from ...votable.encoders import xml_attr, xml_text
from .search import VOTABLE_NS, SearchRequest, search

MAX_GAP_DAYS = 30 / 1440
CALIBRATOR_WINDOW_DAYS = 2 / 24
MAX_TARGETS = 5000


class TargetListError(ValueError):
    """The uploaded target list cannot be used."""


@dataclass
class Target:
    name: str
    ra: float
    dec: float
    radius: float = 30.0


@dataclass
class Block:
    target: str
    instrument: str | None
    mode: str | None
    stations: str | None
    configuration: str | None
    role: str | None
    ob_id: int | None
    night: str | None
    mjd_start: float
    mjd_end: float
    lst_start: float | None
    lst_end: float | None
    exposures: list[str] = field(default_factory=list)
    calibrators: list[str] = field(default_factory=list)


def parse_targets(data: bytes, filename: str = "") -> list[Target]:
    """A CSV (header: name, ra, dec[, radius]) or VOTable list of targets."""
    text_start = data.lstrip()[:200].lower()
    if text_start.startswith(b"<?xml") or b"<votable" in text_start:
        try:
            columns, rows = parse_upload(data, "targets")
        except UploadError as exc:
            raise TargetListError(str(exc)) from exc
        names = [c.name.lower() for c in columns]
        records = [dict(zip(names, row, strict=True)) for row in rows]
    else:
        try:
            reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
            records = [{k.strip().lower(): v for k, v in row.items() if k} for row in reader]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise TargetListError(f"the target list is neither a VOTable nor a CSV file: {exc}") \
                from exc
    targets = []
    for index, record in enumerate(records, start=1):
        try:
            ra, dec = float(record["ra"]), float(record["dec"])
            radius = float(record.get("radius") or 30.0)
        except (KeyError, TypeError, ValueError) as exc:
            raise TargetListError(f"target {index}: needs numeric ra and dec (degrees) and "
                                  f"an optional radius (arcsec): {exc}") from exc
        if not (math.isfinite(ra) and -90 <= dec <= 90 and 0 < radius <= 3600):
            raise TargetListError(f"target {index}: ra/dec/radius out of range")
        targets.append(Target(str(record.get("name") or f"target {index}"), ra % 360, dec,
                              radius))
    if len(targets) > MAX_TARGETS:
        raise TargetListError(f"{len(targets)} targets: the limit is {MAX_TARGETS}")
    return targets


def _blocks(target: Target, rows: list[dict[str, Any]]) -> list[Block]:
    blocks: list[Block] = []
    for row in sorted(rows, key=lambda r: r["exp_mjd_start"] or 0):
        key = (row["instrument_name"], row["instrument_mode"], row["interferometer_stations"],
               row["obs_id"])
        last = blocks[-1] if blocks else None
        if last is not None and (last.instrument, last.mode, last.stations, last.ob_id) == key \
                and (row["exp_mjd_start"] or 0) - last.mjd_end < MAX_GAP_DAYS:
            last.mjd_end = max(last.mjd_end, row["exp_mjd_end"] or last.mjd_end)
            last.lst_end = row["_lst_end"]
            last.exposures.append(row["exp_header_id"])
            continue
        blocks.append(Block(target.name, row["instrument_name"], row["instrument_mode"],
                            row["interferometer_stations"], row["_configuration"],
                            row["obs_type"], row["obs_id"], row["_night"],
                            row["exp_mjd_start"] or 0.0, row["exp_mjd_end"] or 0.0,
                            row["_lst_start"], row["_lst_end"], [row["exp_header_id"]]))
    return blocks


def _calibrators(engine: sa.Engine, blocks: list[Block]) -> None:
    dialect = engine.dialect.name
    metadata = catalog_metadata(dialect)
    o, t = sa_table(metadata, OB_EXEC, dialect), sa_table(metadata, TARGET, dialect)
    with engine.connect() as conn:
        for block in blocks:
            if block.role != "science" or block.night is None:
                continue
            names = conn.execute(
                sa.select(t.c.name).select_from(o.join(t, o.c.target_id == t.c.target_id))
                .where(o.c.role == "CAL", o.c.night == block.night,
                       o.c.instrument_mode == block.mode,
                       o.c.mjd_start.between(block.mjd_start - CALIBRATOR_WINDOW_DAYS,
                                             block.mjd_end + CALIBRATOR_WINDOW_DAYS))
                .order_by(o.c.mjd_start)).scalars().all()
            block.calibrators = list(dict.fromkeys(names))


def match_targets(engine: sa.Engine, targets: list[Target]) -> list[tuple[Target, list[Block]]]:
    result = []
    for target in targets:
        rows = search(engine, SearchRequest(target.ra, target.dec, target.radius))
        blocks = _blocks(target, rows)
        _calibrators(engine, blocks)
        result.append((target, blocks))
    return result


def as_json(matches: list[tuple[Target, list[Block]]]) -> dict[str, Any]:
    return {"targets": [{
        "name": target.name, "ra": target.ra, "dec": target.dec, "radius": target.radius,
        "blocks": [{
            "instrument": b.instrument, "instrument_mode": b.mode, "stations": b.stations,
            "configuration": b.configuration, "role": b.role, "ob_id": b.ob_id,
            "night": b.night, "mjd_start": b.mjd_start, "mjd_end": b.mjd_end,
            "lst_start": b.lst_start, "lst_end": b.lst_end, "exposures": b.exposures,
            "calibrators": b.calibrators} for b in blocks]} for target, blocks in matches]}


_BLOCK_FIELDS = [("target", "unicodeChar", "meta.id;src", None),
                 ("instrument_name", "unicodeChar", "meta.id;instr", None),
                 ("instrument_mode", "unicodeChar", "instr.setup", None),
                 ("interferometer_stations", "unicodeChar", "instr.setup;instr.tel", None),
                 ("configuration", "unicodeChar", "instr.setup", None),
                 ("obs_type", "unicodeChar", "meta.code.class", None),
                 ("ob_id", "long", "meta.id;obs", None),
                 ("night", "unicodeChar", "time.epoch;obs", None),
                 ("mjd_start", "double", "time.start", "d"),
                 ("mjd_end", "double", "time.end", "d"),
                 ("lst_start", "double", "time.start", "h"),
                 ("lst_end", "double", "time.end", "h"),
                 ("exposures", "int", "meta.number", None),
                 ("calibrators", "unicodeChar", "meta.id;src", None)]


def as_votable(matches: list[tuple[Target, list[Block]]]) -> Iterator[bytes]:
    head = [f'<?xml version="1.0" encoding="UTF-8"?>\n<VOTABLE version="1.4" '
            f'xmlns="{VOTABLE_NS}">\n<RESOURCE type="results">\n<TABLE name="ob_blocks">\n']
    for name, datatype, ucd, unit in _BLOCK_FIELDS:
        extra = ' arraysize="*"' if datatype == "unicodeChar" else ""
        extra += f' unit="{unit}"' if unit else ""
        head.append(f'<FIELD name="{name}" datatype="{datatype}"{extra} ucd="{ucd}"/>\n')
    head.append("<DATA><TABLEDATA>\n")
    yield "".join(head).encode()
    for _target, blocks in matches:
        out = []
        for b in blocks:
            values = [b.target, b.instrument, b.mode, b.stations, b.configuration, b.role,
                      b.ob_id, b.night, b.mjd_start, b.mjd_end, b.lst_start, b.lst_end,
                      len(b.exposures), " | ".join(b.calibrators) or None]
            cells = "".join("<TD/>" if v is None else f"<TD>{xml_text(str(v))}</TD>"
                            for v in values)
            out.append(f"<TR>{cells}</TR>\n")
        yield "".join(out).encode("utf-8")
    yield b"</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n"


__all__ = ["TargetListError", "as_json", "as_votable", "match_targets", "parse_targets",
           "xml_attr"]
