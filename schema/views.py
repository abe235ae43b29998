"""Derived views: ``ivoa.obscore`` over the domain tables.

The view is written once with SQLAlchemy Core and compiled for each dialect.
Every ObsCore column is either a plain column of a domain table (so the
planner pushes predicates into both UNION ALL branches and uses their
indexes: ``s_ra``/``s_dec`` are the very columns of the GiST expression
index) or a typed constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from .domain import DATA_PRODUCT, EXPOSURE, OB_EXEC, PROGRAM, TARGET
from .model import Table
from .obscore import OBSCORE
from .sql import column_type, sa_table


def _typed_null(name: str, dialect: str) -> ColumnElement[object]:
    return sa.cast(sa.null(), column_type(OBSCORE.column(name), dialect))


def _obs_type(role: ColumnElement[object]) -> ColumnElement[object]:
    return sa.case((role == "SCI", "science"), (role == "CAL", "calibrator"), else_=None)


def _select(exprs: Mapping[str, ColumnElement[object]], dialect: str,
            from_: sa.FromClause) -> sa.Select[Any]:
    cols: list[Any] = []
    for col in OBSCORE.columns:
        expr = exprs.get(col.name)
        if expr is None:
            expr = _typed_null(col.name, dialect)
        cols.append(expr.label(col.name))
    select: sa.Select[Any] = sa.select(*cols).select_from(from_)
    return select


def obscore_select(metadata: sa.MetaData, dialect: str) -> sa.CompoundSelect[Any]:
    """The SELECT behind ``ivoa.obscore`` for ``dialect``."""
    e = sa_table(metadata, EXPOSURE, dialect)
    o = sa_table(metadata, OB_EXEC, dialect)
    p = sa_table(metadata, PROGRAM, dialect)
    t = sa_table(metadata, TARGET, dialect)
    d = sa_table(metadata, DATA_PRODUCT, dialect)
    po = o.alias("product_ob")
    pt = t.alias("product_target")

    def lit(value: object, name: str) -> ColumnElement[object]:
        return sa.cast(sa.literal(value), column_type(OBSCORE.column(name), dialect))

    exposures = _select({
        "dataproduct_type": lit("visibility", "dataproduct_type"),
        "calib_level": lit(0, "calib_level"),
        "obs_collection": e.c.obs_collection, "obs_id": e.c.dp_id,
        "obs_publisher_did": e.c.publisher_did, "access_url": e.c.access_url,
        "access_format": e.c.access_format, "access_estsize": e.c.access_estsize,
        "target_name": e.c.target_name, "s_ra": e.c.ra, "s_dec": e.c.dec,
        "s_fov": e.c.s_fov, "s_region": e.c.s_region,
        "t_min": e.c.mjd_start, "t_max": e.c.mjd_end, "t_exptime": e.c.exptime,
        "em_min": e.c.em_min, "em_max": e.c.em_max, "em_res_power": e.c.em_res_power,
        "facility_name": o.c.facility_name, "instrument_name": o.c.instrument_name,
        "proposal_id": p.c.code, "obs_title": p.c.title, "obs_release_date": e.c.release_date,
        "data_rights": e.c.data_rights, "obs_creator_name": p.c.pi_name,
        "target_class": t.c.target_class, "obs_type": _obs_type(o.c.role),
        "instrument_mode": o.c.instrument_mode,
        "instrument_submode": o.c.instrument_submode,
        "interferometer_stations": o.c.stations, "configuration": o.c.configuration,
        "ob_id": o.c.ob_id, "night": o.c.night, "exp_tau0": e.c.tau0,
        "exp_seeing": e.c.seeing, "exp_lst_start": e.c.lst_start,
        "exp_lst_end": e.c.lst_end, "healpix": e.c.healpix,
    }, dialect, e.outerjoin(o, e.c.ob_exec_id == o.c.ob_exec_id)
        .outerjoin(p, o.c.program_id == p.c.program_id)
        .outerjoin(t, o.c.target_id == t.c.target_id))

    products = _select({
        "dataproduct_type": d.c.dataproduct_type, "calib_level": d.c.calib_level,
        "obs_collection": d.c.obs_collection, "obs_id": d.c.obs_id,
        "obs_publisher_did": d.c.obs_publisher_did, "access_url": d.c.access_url,
        "access_format": d.c.access_format, "access_estsize": d.c.access_estsize,
        "target_name": d.c.target_name, "s_ra": d.c.s_ra, "s_dec": d.c.s_dec,
        "s_fov": d.c.s_fov, "s_region": d.c.s_region, "s_resolution": d.c.s_resolution,
        "t_min": d.c.t_min, "t_max": d.c.t_max, "t_exptime": d.c.t_exptime,
        "em_min": d.c.em_min, "em_max": d.c.em_max, "em_res_power": d.c.em_res_power,
        "em_xel": d.c.em_xel, "o_ucd": d.c.o_ucd, "pol_states": d.c.pol_states,
        "facility_name": d.c.facility_name, "instrument_name": d.c.instrument_name,
        "proposal_id": d.c.proposal_id, "obs_release_date": d.c.release_date,
        "data_rights": d.c.data_rights, "obs_creator_name": d.c.creator_name,
        "target_class": sa.func.coalesce(d.c.target_class, pt.c.target_class),
        "obs_type": d.c.obs_type, "instrument_mode": d.c.instrument_mode,
        "instrument_submode": po.c.instrument_submode,
        "interferometer_stations": d.c.stations, "configuration": d.c.configuration,
        "ob_id": po.c.ob_id, "night": d.c.night, "healpix": d.c.healpix,
    }, dialect, d.outerjoin(po, d.c.ob_exec_id == po.c.ob_exec_id)
        .outerjoin(pt, d.c.target_id == pt.c.target_id))
    return sa.union_all(exposures, products)


def view_name(table: Table, dialect: str) -> str:
    schema, name = table.sql_name(dialect)
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def view_ddl(metadata: sa.MetaData, dialect: str, sa_dialect: sa.engine.Dialect) -> list[str]:
    """DROP + CREATE statements of every view, compiled for ``dialect``."""
    body = obscore_select(metadata, dialect).compile(
        dialect=sa_dialect, compile_kwargs={"literal_binds": True})
    name = view_name(OBSCORE, dialect)
    return [f"DROP VIEW IF EXISTS {name}", f"CREATE VIEW {name} AS {body}"]
