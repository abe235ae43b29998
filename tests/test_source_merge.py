"""Deduplication across sources: one exposure (same dp_id) harvested from several
sources keeps the richer source's values field by field, and the poorer source
only fills the gaps (provenance in ``exposure.source``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from obscore_rows import make_rows

from obsportal.harvesters.pipeline import DomainWriter

NUMERIC = {"s_ra", "s_dec", "s_fov", "t_min", "t_max", "t_exptime", "em_min", "em_max",
           "em_res_power", "exp_tau0", "exp_seeing", "exp_lst_start", "exp_lst_end",
           "calib_level", "ob_id"}


def _row(**changes: Any) -> dict[str, Any]:
    raw = next(make_rows(1))
    row = {k: (float(v) if k in NUMERIC and v not in (None, "") else v) for k, v in raw.items()}
    row.update(changes)
    return row


def _stored(engine: sa.Engine) -> dict[str, Any]:
    name = "obsportal.exposure" if engine.dialect.name == "postgresql" else "obsportal_exposure"
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            f"SELECT source, sources, seeing, tau0, exptime, access_url FROM {name}"))
            .mappings().one())


def _write(engine: sa.Engine, source: str, row: dict[str, Any]) -> None:
    DomainWriter(engine, source, "ivo://test").write([row])


def test_richer_source_wins_and_poorer_fills_gaps(any_engine: sa.Engine) -> None:
    _write(any_engine, "obsportal", _row(exp_seeing=0.9, exp_tau0=None, t_exptime=200.0))
    assert _stored(any_engine)["source"] == "obsportal"
    # The ESO archive record is richer: its values replace ObsPortal's, except where it
    # has none (its access URL here), which ObsPortal's record keeps filling.
    _write(any_engine, "eso-archive", _row(exp_seeing=0.6, exp_tau0=0.004, t_exptime=300.0,
                                           access_url=None))
    stored = _stored(any_engine)
    assert stored["source"] == "eso-archive" and stored["sources"] == "obsportal|eso-archive"
    assert stored["seeing"] == 0.6 and stored["tau0"] == 0.004 and stored["exptime"] == 300.0
    assert stored["access_url"] == "https://archive.example/0"
    # A poorer source coming later changes nothing it disagrees on, and fills nothing
    # already known.
    _write(any_engine, "oidb", _row(exp_seeing=1.4, exp_tau0=0.001, t_exptime=100.0,
                                    access_url="https://oidb.example/0"))
    assert _stored(any_engine) == {**stored, "sources": "obsportal|eso-archive|oidb"}
    # Provenance lists each source once.
    _write(any_engine, "obsportal", _row(exp_seeing=0.9))
    assert _stored(any_engine)["sources"] == "obsportal|eso-archive|oidb"


def test_the_same_source_again_updates(any_engine: sa.Engine) -> None:
    _write(any_engine, "oidb", _row(exp_seeing=1.4))
    _write(any_engine, "oidb", _row(exp_seeing=1.1))
    assert _stored(any_engine)["seeing"] == 1.1
