"""`harvest chara`: CHARA observation-log CSV (the OiDB import format)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from obscore_rows import make_rows, write_csv

from obsportal.harvesters.runner import harvest_chara_logs, harvest_files

LOG = """UT-DATE,STAR,PI,PROGRAM,COMBINER,TYPE,MJD,FILTER,SCOPES,B1,B2,B3,T0_OBS,T0_500nm
2023-02-24,HD 100001,Observer,2023A-M05,MIRCX,SCI,60000.31,H,S1-S2-E1-E2-W1-W2,,,,8.5,12.1
2023-02-24,HD_100001,Observer,2023A-M05,MIRCX,SCI,60000.33,H,S1-S2-E1-E2-W1-W2,,,,9.0,12.5
2023-02-24,Vega,Observer,2023A-M05,CLIMB,CAL,60000.35,K,S1-E1-W1,,,,7.0,10.0
2023-02-24,broken,Observer,2023A-M05,CLIMB,CAL,notanmjd,K,S1-E1-W1,,,,7.0,10.0
"""


def test_chara_log_links_known_targets(any_engine: sa.Engine, tmp_path: Path) -> None:
    harvest_files(any_engine, [write_csv(tmp_path / "known.csv", list(make_rows(8)))])
    path = tmp_path / "chara.csv"
    path.write_text(LOG)
    report = harvest_chara_logs(any_engine, [path])
    assert report.new == 3 and [b.line for b in report.bad_rows] == [5]
    again = harvest_chara_logs(any_engine, [path])
    assert again.updated == 3 and again.new == 0
    obscore = "ivoa.obscore" if any_engine.dialect.name == "postgresql" else "ivoa_obscore"
    with any_engine.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT target_name, s_ra, instrument_name, instrument_mode, obs_type, "
            f"interferometer_stations, exp_tau0 FROM {obscore} WHERE facility_name = 'CHARA' "
            "ORDER BY t_min")).all()
    assert rows[0][0] == "HD 100001" and rows[0][1] is not None  # linked by name
    assert rows[1][0] == "HD 100001"  # HD_100001 is the same star
    assert rows[0][2:6] == ("MIRC-X", "Medium_H", "science", "S1 S2 E1 E2 W1 W2")
    assert rows[0][6] == 0.0085
    assert rows[2][0] == "Vega" and rows[2][1] is None  # not resolvable here: no position
    assert rows[2][2:5] == ("CLIMB", "K-Prime", "calibrator")
