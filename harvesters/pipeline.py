"""The shared write path of every harvester: normalised rows → domain tables.

Rows arrive as ObsCore-named dictionaries (the ``obscore-table`` form; other
harvesters produce the same form). Each batch is split into programmes,
targets, OB executions, exposures (calib_level 0) and products (1-3), and
upserted on natural keys (programme code, target name key, OB execution key,
``dp_id``, ``(obs_id, obs_collection)``) so re-loading a file updates rows and
never duplicates them. Exposures go through ``COPY`` into a staging table on
PostgreSQL and ``executemany`` on SQLite.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..schema.domain import (
    CALIB_LINK,
    DATA_PRODUCT,
    EXPOSURE,
    EXPOSURE_BASELINE,
    HEADER_ISSUE,
    OB_EXEC,
    PROGRAM,
    TARGET,
)
from ..schema.model import HEALPIX_ORDER, Table
from ..schema.sql import POSTGRESQL, build_metadata, sa_table
from .derive.angles import separation_arcsec
from .derive.stations import split_stations

BATCH_SIZE = 5000
#: How complete each source's exposure records are: on a conflict, the richer source's
#: values win field by field and the poorer one only fills gaps (provenance: ``source``).
SOURCE_RANK = {"eso-archive": 5, "eso-files": 5, "obsportal": 4, "oidb": 3, "aspro": 2,
               "chara": 2}


def _rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in SOURCE_RANK.items())
    return f"(CASE {column} {cases} ELSE 1 END)"


def merge_set_clause(names: Sequence[str], key: str, current: str,
                     dialect: str = POSTGRESQL) -> str:
    """ON CONFLICT … SET: the richer source wins each field; the other fills its gaps;
    ``sources`` accumulates every source that reported the record (provenance)."""
    richer = f"{_rank_sql('excluded.source')} >= {_rank_sql(f'{current}.source')}"
    find = "strpos" if dialect == POSTGRESQL else "instr"
    parts = []
    for name in names:
        if name == key:
            continue
        new, old = f'excluded."{name}"', f'{current}."{name}"'
        if name == "last_update":
            parts.append(f'"{name}" = {new}')
        elif name == "sources":
            known = f"{find}('|' || {old} || '|', '|' || {new} || '|') > 0"
            parts.append(f'"{name}" = CASE WHEN {old} IS NULL THEN {new} WHEN {known} '
                         f"THEN {old} ELSE {old} || '|' || {new} END")
        elif name == "source":
            parts.append(f'"{name}" = CASE WHEN {richer} THEN {new} ELSE {old} END')
        else:
            parts.append(f'"{name}" = CASE WHEN {richer} THEN COALESCE({new}, {old}) '
                         f"ELSE COALESCE({old}, {new}) END")
    return ", ".join(parts)


#: Two names pointing this close are one object (header pointings scatter by arcseconds).
SAME_TARGET_ARCSEC = 5.0


def healpix_index(ra: Sequence[float | None], dec: Sequence[float | None]) -> list[int | None]:
    """HEALPix NESTED indexes at :data:`HEALPIX_ORDER` (None where a position is missing)."""
    from astropy import units as u
    from astropy_healpix import HEALPix

    out: list[int | None] = [None] * len(ra)
    good = [i for i, (r, d) in enumerate(zip(ra, dec, strict=True))
            if r is not None and d is not None]
    if not good:
        return out
    grid = HEALPix(nside=2**HEALPIX_ORDER, order="nested")
    lon = np.array([ra[i] for i in good], dtype=float) * u.deg
    lat = np.array([dec[i] for i in good], dtype=float) * u.deg
    for i, pixel in zip(good, grid.lonlat_to_healpix(lon, lat), strict=True):
        out[i] = int(pixel)
    return out


def name_key(name: str) -> str:
    """Matching key of an object name: upper case, no blanks or underscores."""
    return re.sub(r"[\s_]+", "", name).upper()


def normalise_stations(text: str | None) -> str | None:
    """Stations space separated in beam order; ESO ``U1`` spelled ``UT1``
    (:func:`~.derive.stations.split_stations`)."""
    return (" ".join(split_stations(text)) or None) if text else None


_ROLE = {"science": "SCI", "sci": "SCI", "calibrator": "CAL", "cal": "CAL"}


@dataclass
class BatchCounts:
    new: int = 0
    updated: int = 0


def _night_of(values: dict[str, Any]) -> str | None:
    night = values.get("night")
    if night:
        return str(night)
    t_min = values.get("t_min")
    if t_min is None:
        return None
    # Without a night column the UT date 12 h before the start is a fair stand-in
    # at both sites (nights straddle UT midnight in Chile and California).
    return (datetime(1858, 11, 17) + _days(t_min - 0.5)).date().isoformat()


def _days(value: float) -> Any:
    from datetime import timedelta
    return timedelta(days=value)


def exec_key(values: dict[str, Any]) -> str:
    """Natural key of the OB execution an ObsCore row belongs to."""
    facility = values.get("facility_name") or ""
    instrument = values.get("instrument_name") or ""
    night = _night_of(values) or ""
    if values.get("ob_id") is not None:
        return f"{facility}|{instrument}|OB{values['ob_id']}|{night}"
    target = name_key(values.get("target_name") or "")
    setup = f"{values.get('instrument_mode') or ''}|{values.get('interferometer_stations') or ''}"
    return f"{facility}|{instrument}|{night}|{target}|{setup}"


def _period(values: dict[str, Any]) -> int | None:
    """ESO period of the observation (from its local night, as the configuration match
    uses, else its UT date), else the one a run id names."""
    t_min = values.get("t_min")
    if str(values.get("facility_name") or "").startswith("ESO") and t_min is not None:
        from .derive.configurations import eso_period
        night = str(values.get("night") or "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", night):
            return eso_period(int(night[:4]), int(night[5:7]))
        start = datetime(1858, 11, 17) + _days(t_min)
        return eso_period(start.year, start.month)
    code = values.get("proposal_id") or ""
    match = re.match(r"^0*(\d{2,4})\.", code)
    return int(match.group(1)) if match else None


class DomainWriter:
    """Upserts batches of ObsCore-form rows into the domain tables."""

    def __init__(self, engine: sa.Engine, source: str, publisher_authority: str) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.source = source
        self.authority = publisher_authority.rstrip("/")
        metadata = build_metadata(self.dialect)
        self.t_program = sa_table(metadata, PROGRAM, self.dialect)
        self.t_target = sa_table(metadata, TARGET, self.dialect)
        self.t_ob = sa_table(metadata, OB_EXEC, self.dialect)
        self.t_exposure = sa_table(metadata, EXPOSURE, self.dialect)
        self.t_product = sa_table(metadata, DATA_PRODUCT, self.dialect)
        self.t_baseline = sa_table(metadata, EXPOSURE_BASELINE, self.dialect)
        self.t_link = sa_table(metadata, CALIB_LINK, self.dialect)
        self.t_issue = sa_table(metadata, HEADER_ISSUE, self.dialect)
        self.touched_obs: set[int] = set()

    # -- generic upsert ------------------------------------------------------------
    def _insert(self, table: sa.Table) -> Any:
        dialect_insert = postgresql.insert if self.dialect == POSTGRESQL else sqlite.insert
        return dialect_insert(table)

    def upsert(self, conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
               keys: Sequence[str], keep_existing: Iterable[str] = ()) -> None:
        """INSERT … ON CONFLICT (keys) DO UPDATE; ``keep_existing`` columns keep non-null
        stored values (first evidence wins, e.g. a target's position)."""
        if not rows:
            return
        stmt = self._insert(table)
        keep = set(keep_existing)
        update = {}
        for name in rows[0]:
            if name in keys:
                continue
            excluded, current = stmt.excluded[name], table.c[name]
            update[name] = (sa.func.coalesce(current, excluded) if name in keep
                            else sa.func.coalesce(excluded, current))
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=update)
        conn.execute(stmt, rows)

    def _ids(self, conn: sa.Connection, table: sa.Table, key: str, id_col: str,
             values: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(values))
        out: dict[str, int] = {}
        for start in range(0, len(wanted), 900):
            chunk = wanted[start:start + 900]
            result = conn.execute(sa.select(table.c[key], table.c[id_col])
                                  .where(table.c[key].in_(chunk)))
            out.update({k: int(i) for k, i in result})
        return out

    # -- the batch ----------------------------------------------------------------
    def write(self, rows: list[dict[str, Any]]) -> BatchCounts:
        """Write one batch in one transaction; returns new/updated counts."""
        rows = list({(r["obs_id"], r.get("obs_collection")): r for r in rows}.values())
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            programs = self._write_programs(conn, rows)
            targets = self._write_targets(conn, rows)
            obs = self._write_ob_execs(conn, rows, programs, targets)
            counts = self._write_exposures(conn, [r for r in rows
                                                  if (r.get("calib_level") or 0) == 0],
                                           obs, now)
            product_counts = self._write_products(conn, [r for r in rows
                                                         if (r.get("calib_level") or 0) > 0],
                                                  obs, targets, now)
        counts.new += product_counts.new
        counts.updated += product_counts.updated
        return counts

    def _write_programs(self, conn: sa.Connection, rows: list[dict[str, Any]]
                        ) -> dict[str, int]:
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            code = r.get("proposal_id")
            if code and code not in found:
                found[code] = {"code": code, "title": r.get("obs_title"),
                               "pi_name": r.get("obs_creator_name"), "period": _period(r),
                               "facility_name": r.get("facility_name")}
        self.upsert(conn, self.t_program, list(found.values()), ["code"])
        return self._ids(conn, self.t_program, "code", "program_id", found)

    def _write_targets(self, conn: sa.Connection, rows: list[dict[str, Any]]
                       ) -> dict[str, int]:
        """Targets by name evidence, then by position: an unknown name pointing within
        :data:`SAME_TARGET_ARCSEC` of a known target is an alias of it, not a new object."""
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            name = r.get("target_name")
            if not name:
                continue
            key = name_key(name)
            if key not in found:
                found[key] = {"name": name, "name_key": key, "ra": r.get("s_ra"),
                              "dec": r.get("s_dec"), "target_class": r.get("target_class")}
        known = self._ids(conn, self.t_target, "name_key", "target_id", found)
        aliases = self._match_by_position(conn, [t for k, t in found.items() if k not in known])
        targets = [t for k, t in found.items() if k not in aliases]
        pixels = healpix_index([t["ra"] for t in targets], [t["dec"] for t in targets])
        for target, pixel in zip(targets, pixels, strict=True):
            target["healpix"] = pixel
        self.upsert(conn, self.t_target, targets, ["name_key"],
                     keep_existing=("name", "ra", "dec", "healpix"))
        ids = self._ids(conn, self.t_target, "name_key", "target_id", found)
        ids.update(aliases)
        return ids

    def _match_by_position(self, conn: sa.Connection, candidates: list[dict[str, Any]]
                           ) -> dict[str, int]:
        """New names whose position is a known target's: map them to it, record the alias."""
        t = self.t_target
        matched: dict[str, int] = {}
        radius = SAME_TARGET_ARCSEC / 3600.0
        for cand in candidates:
            ra, dec = cand.get("ra"), cand.get("dec")
            if ra is None or dec is None:
                continue
            dra = radius / max(0.01, math.cos(math.radians(min(89.9, abs(dec)))))
            near = conn.execute(sa.select(t.c.target_id, t.c.ra, t.c.dec, t.c.aliases).where(
                t.c.dec.between(dec - radius, dec + radius),
                t.c.ra.between(ra - dra, ra + dra))).all()
            best = None
            for row in near:
                separation = separation_arcsec(ra, dec, row.ra, row.dec)
                if separation <= SAME_TARGET_ARCSEC and (best is None or separation < best[0]):
                    best = (separation, row)
            if best is None:
                continue
            row = best[1]
            matched[cand["name_key"]] = int(row.target_id)
            names = [a for a in (row.aliases or "").split("|") if a]
            if cand["name"] not in names:
                names.append(cand["name"])
                conn.execute(sa.update(t).where(t.c.target_id == row.target_id)
                             .values(aliases="|".join(names)))
        return matched

    def _write_ob_execs(self, conn: sa.Connection, rows: list[dict[str, Any]],
                        programs: dict[str, int], targets: dict[str, int]) -> dict[str, int]:
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            if not (r.get("instrument_name") or r.get("ob_id") is not None):
                continue
            if (r.get("calib_level") or 0) > 0 and r.get("ob_id") is None:
                continue  # a product of no known OB: described by data_product alone
            key = exec_key(r)
            r["_exec_key"] = key
            if key in found:
                continue
            stations = normalise_stations(r.get("interferometer_stations"))
            found[key] = {
                "exec_key": key, "facility_name": r.get("facility_name"),
                "instrument_name": r.get("instrument_name"),
                "instrument_mode": r.get("instrument_mode"),
                "instrument_submode": r.get("instrument_submode"),
                "stations": stations,
                "stations_sorted": " ".join(sorted(stations.split())) if stations else None,
                "configuration": r.get("configuration"), "period": _period(r),
                "night": _night_of(r), "role": _ROLE.get((r.get("obs_type") or "").lower()),
                "ob_id": r.get("ob_id"), "ob_name": r.get("_ob_name"),
                "container_id": r.get("_container_id"),
                "configuration_category": r.get("_configuration_category"),
                "configuration_match": r.get("_configuration_match"),
                "program_id": programs.get(r.get("proposal_id") or ""),
                "target_id": targets.get(name_key(r.get("target_name") or "")),
            }
        self.upsert(conn, self.t_ob, list(found.values()), ["exec_key"])
        ids = self._ids(conn, self.t_ob, "exec_key", "ob_exec_id", found)
        self.touched_obs.update(ids.values())
        return ids

    def _exposure_row(self, r: dict[str, Any], obs: dict[str, int], now: datetime,
                      pixel: int | None) -> dict[str, Any]:
        collection = r.get("obs_collection") or self.source
        return {
            "dp_id": r["obs_id"], "ob_exec_id": obs.get(r.get("_exec_key", "")),
            "obs_collection": collection,
            "publisher_did": r.get("obs_publisher_did")
            or f"{self.authority}/{collection}?{r['obs_id']}",
            "target_name": r.get("target_name"),
            "object": r.get("_object") or r.get("target_name"),
            "temperature": r.get("_temperature"),
            "validation_level": r.get("_validation_level"),
            "validation_log": r.get("_validation_log"),
            "ra": r.get("s_ra"), "dec": r.get("s_dec"),
            "mjd_start": r.get("t_min"), "mjd_end": r.get("t_max"),
            "lst_start": r.get("exp_lst_start"), "lst_end": r.get("exp_lst_end"),
            "exptime": r.get("t_exptime"), "tau0": r.get("exp_tau0"),
            "seeing": r.get("exp_seeing"), "em_min": r.get("em_min"),
            "em_max": r.get("em_max"), "em_res_power": r.get("em_res_power"),
            "s_fov": r.get("s_fov"), "s_region": r.get("s_region"),
            "access_url": r.get("access_url"), "access_format": r.get("access_format"),
            "access_estsize": r.get("access_estsize"), "release_date": r.get("obs_release_date"),
            "data_rights": r.get("data_rights"), "source": self.source,
            "sources": self.source, "last_update": now, "healpix": pixel,
        }

    def _existing(self, conn: sa.Connection, table: sa.Table, key: str,
                  values: list[str]) -> int:
        total = 0
        for start in range(0, len(values), 900):
            chunk = values[start:start + 900]
            total += int(conn.execute(sa.select(sa.func.count()).select_from(table)
                                      .where(table.c[key].in_(chunk))).scalar_one())
        return total

    def _write_exposures(self, conn: sa.Connection, rows: list[dict[str, Any]],
                         obs: dict[str, int], now: datetime) -> BatchCounts:
        if not rows:
            return BatchCounts()
        pixels = healpix_index([r.get("s_ra") for r in rows], [r.get("s_dec") for r in rows])
        records = [self._exposure_row(r, obs, now, p) for r, p in zip(rows, pixels, strict=True)]
        existing = self._existing(conn, self.t_exposure, "dp_id", [r["dp_id"] for r in records])
        if self.dialect == POSTGRESQL:
            self._copy_upsert(conn, self.t_exposure, records, "dp_id")
        else:
            names = list(records[0])
            table = f'"{self.t_exposure.name}"'
            columns = ", ".join(f'"{n}"' for n in names)
            values = ", ".join(f":{n}" for n in names)
            updates = merge_set_clause(names, "dp_id", table, self.dialect)
            conn.execute(sa.text(
                f"INSERT INTO {table} ({columns}) VALUES ({values}) "
                f'ON CONFLICT ("dp_id") DO UPDATE SET {updates}'), records)
        with_baselines = [r for r in rows if r.get("_baselines")]
        if with_baselines:
            self._write_baselines(conn, with_baselines)
        return BatchCounts(new=len(records) - existing, updated=existing)

    def _write_baselines(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        """Projected baselines of exposures (header values and computed u,v)."""
        ids = self._ids(conn, self.t_exposure, "dp_id", "exposure_id",
                        [r["obs_id"] for r in rows])
        records = []
        for r in rows:
            for b in r["_baselines"]:
                records.append({
                    "exposure_id": ids[r["obs_id"]], "station1": b.station1,
                    "station2": b.station2, "pbl_start": b.pbl_start, "pbl_end": b.pbl_end,
                    "pbla_start": b.pbla_start, "pbla_end": b.pbla_end,
                    "u_start": b.u_start, "v_start": b.v_start, "u_end": b.u_end,
                    "v_end": b.v_end})
        self.upsert(conn, self.t_baseline, records, ["exposure_id", "station1", "station2"])

    def _copy_upsert(self, conn: sa.Connection, table: sa.Table,
                     records: list[dict[str, Any]], key: str) -> None:
        """COPY into a temporary staging table, then one INSERT … ON CONFLICT."""
        names = list(records[0])
        quoted = ", ".join(f'"{n}"' for n in names)
        target = f'"{table.schema}"."{table.name}"'
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS stage_{table.name} AS "
            f"SELECT {quoted} FROM {target} WITH NO DATA")
        conn.exec_driver_sql(f"TRUNCATE stage_{table.name}")
        buffer = io.StringIO()
        for record in records:
            buffer.write("\t".join(_copy_text(record[n]) for n in names))
            buffer.write("\n")
        buffer.seek(0)
        raw: Any = conn.connection.dbapi_connection
        cursor = raw.cursor()
        try:
            cursor.copy_expert(f"COPY stage_{table.name} ({quoted}) FROM STDIN", buffer)
        finally:
            cursor.close()
        updates = merge_set_clause(names, key, "stored")
        conn.exec_driver_sql(
            f"INSERT INTO {target} AS stored ({quoted}) SELECT {quoted} FROM "
            f'stage_{table.name} ON CONFLICT ("{key}") DO UPDATE SET {updates}')

    def _write_products(self, conn: sa.Connection, rows: list[dict[str, Any]],
                        obs: dict[str, int], targets: dict[str, int],
                        now: datetime) -> BatchCounts:
        if not rows:
            return BatchCounts()
        pixels = healpix_index([r.get("s_ra") for r in rows], [r.get("s_dec") for r in rows])
        records = []
        for r, pixel in zip(rows, pixels, strict=True):
            collection = r.get("obs_collection") or self.source
            record = {name: r.get(name) for name in _PRODUCT_COLUMNS}
            record.update({
                "obs_collection": collection,
                "obs_publisher_did": r.get("obs_publisher_did")
                or f"{self.authority}/{collection}?{r['obs_id']}",
                "ob_exec_id": obs.get(r.get("_exec_key", "")),
                "target_id": targets.get(name_key(r.get("target_name") or "")),
                "stations": normalise_stations(r.get("interferometer_stations")),
                "release_date": r.get("obs_release_date"),
                "creator_name": r.get("obs_creator_name"), "night": _night_of(r),
                "source": self.source,
                "last_update": now, "healpix": pixel,
            })
            records.append(record)
        existing = sum(1 for r in records if conn.execute(
            sa.select(self.t_product.c.product_id).where(
                self.t_product.c.obs_id == r["obs_id"],
                self.t_product.c.obs_collection == r["obs_collection"])).first())
        self.upsert(conn, self.t_product, records, ["obs_id", "obs_collection"])
        return BatchCounts(new=len(records) - existing, updated=existing)

    def finish(self) -> None:
        """Recompute OB execution time and LST spans from their exposures.

        One set-based UPDATE … FROM per chunk (window functions pick the LST of
        the first and last exposure), instead of correlated sub-queries per OB.
        """
        if not self.touched_obs:
            return
        e, o = self.t_exposure, self.t_ob
        ids = sorted(self.touched_obs)
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                ordered = sa.select(
                    e.c.ob_exec_id, e.c.mjd_start, e.c.mjd_end,
                    sa.func.first_value(e.c.lst_start).over(
                        partition_by=e.c.ob_exec_id, order_by=e.c.mjd_start).label("first_lst"),
                    sa.func.first_value(e.c.lst_end).over(
                        partition_by=e.c.ob_exec_id,
                        order_by=e.c.mjd_end.desc()).label("last_lst"),
                ).where(e.c.ob_exec_id.in_(chunk)).subquery("ordered")
                agg = sa.select(
                    ordered.c.ob_exec_id,
                    sa.func.min(ordered.c.mjd_start).label("mjd_start"),
                    sa.func.max(ordered.c.mjd_end).label("mjd_end"),
                    sa.func.min(ordered.c.first_lst).label("lst_start"),
                    sa.func.min(ordered.c.last_lst).label("lst_end"),
                ).group_by(ordered.c.ob_exec_id).subquery("agg")
                conn.execute(sa.update(o).where(o.c.ob_exec_id == agg.c.ob_exec_id).values(
                    mjd_start=agg.c.mjd_start, mjd_end=agg.c.mjd_end,
                    lst_start=agg.c.lst_start, lst_end=agg.c.lst_end))
            self._link_calibrators(conn, ids)
            self._report_header_issues(conn, ids)
        self.touched_obs.clear()

    def _report_header_issues(self, conn: sa.Connection, ids: list[int]) -> None:
        """Rebuild the header-issue rows of the exposures of the touched OB executions."""
        from .derive.header_issues import check_exposure

        e, o, t, h = self.t_exposure, self.t_ob, self.t_target, self.t_issue
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            rows = conn.execute(
                sa.select(e.c.exposure_id, e.c.object, e.c.ra, e.c.dec, t.c.target_id,
                          t.c.name, t.c.ra.label("t_ra"), t.c.dec.label("t_dec"), t.c.aliases)
                .select_from(e.join(o, e.c.ob_exec_id == o.c.ob_exec_id)
                             .join(t, o.c.target_id == t.c.target_id))
                .where(o.c.ob_exec_id.in_(chunk))).all()
            exposure_ids = [r.exposure_id for r in rows]
            for first in range(0, len(exposure_ids), 900):
                conn.execute(sa.delete(h).where(
                    h.c.exposure_id.in_(exposure_ids[first:first + 900])))
            issues = []
            for r in rows:
                issue = check_exposure(r.object, r.ra, r.dec, r.name, r.t_ra, r.t_dec,
                                       r.aliases)
                if issue is not None:
                    issues.append({"exposure_id": r.exposure_id, "target_id": r.target_id,
                                   "kind": issue.kind, "header_object": r.object,
                                   "header_ra": r.ra, "header_dec": r.dec,
                                   "separation": issue.separation_arcsec,
                                   "detail": issue.detail})
            if issues:
                conn.execute(sa.insert(h), issues)

    def _link_calibrators(self, conn: sa.Connection, ids: list[int]) -> None:
        """Rebuild the CAL-SCI-CAL links of the nights the load touched."""
        from .derive.calibrators import Execution, link_calibrators

        o, t = self.t_ob, self.t_target
        nights: set[str] = set()
        for start in range(0, len(ids), 900):
            nights.update(n for n in conn.execute(
                sa.select(o.c.night).where(o.c.ob_exec_id.in_(ids[start:start + 900]))
                .distinct()).scalars() if n)
        night_list = sorted(nights)
        for start in range(0, len(night_list), 200):
            chunk = night_list[start:start + 200]
            # [:10]: SQLAlchemy types a select of ten columns as an open-ended tuple.
            executions = [Execution(*row[:10]) for row in conn.execute(sa.select(
                o.c.ob_exec_id, o.c.night, o.c.instrument_name, o.c.instrument_mode,
                o.c.stations_sorted, o.c.role, o.c.mjd_start, o.c.mjd_end, t.c.ra, t.c.dec)
                .select_from(o.outerjoin(t, o.c.target_id == t.c.target_id))
                .where(o.c.night.in_(chunk)))]
            exec_ids = [e.ob_exec_id for e in executions]
            for first in range(0, len(exec_ids), 900):
                conn.execute(sa.delete(self.t_link).where(
                    self.t_link.c.sci_ob_exec_id.in_(exec_ids[first:first + 900])))
            links = [{"sci_ob_exec_id": link.sci, "cal_ob_exec_id": link.cal,
                      "side": link.side, "time_gap": link.gap_s, "method": "adjacency",
                      "score": link.score} for link in link_calibrators(executions)]
            if links:
                conn.execute(sa.insert(self.t_link), links)


_PRODUCT_COLUMNS = tuple(
    c.name for c in DATA_PRODUCT.columns
    if c.name not in {"product_id", "ob_exec_id", "target_id", "healpix", "source",
                      "last_update", "release_date", "creator_name", "stations",
                      "night"})


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("NaN" if math.isnan(value)
                                                          else ("Infinity" if value > 0
                                                                else "-Infinity"))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def table_of(table: Table, engine: sa.Engine) -> sa.Table:
    """SQLAlchemy table of a catalog table for the engine's dialect."""
    return sa_table(build_metadata(engine.dialect.name), table, engine.dialect.name)
